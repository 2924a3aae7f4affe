"""Issuance (R-ISS): certifying closed windows into certificates, minting them (`onchain.py`), the certificates
buyers own, claims, transfers and retirement statements, and the developers' gas-fee statement."""
