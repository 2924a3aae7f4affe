"""The chain: contract access (web3), the chain outbox and its submission, indexed events and balances."""
