"""Standalone verifier of a D-REC registry (R-REG-4): certificates and reservations checked from a chain's JSON-RPC
and a document gateway alone.

Imports nothing from the application and needs no database: an auditor installs `requests`, `eth-abi` and
`eth-hash[pycryptodome]`, and runs `python -m drec_verifier --help`. The registry's own verification pages call
the same checks (with its content store as the gateway and its database as one more witness), so pages and
this command agree by construction.
"""
