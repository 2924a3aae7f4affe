"""Public verification (R-VER): anyone can check a certificate against the chain and IPFS, without an account."""
