"""A stand-in for the I-REC registry (R-IREC-5): its own small HTTP process with its own persistent state.

Run it with `python -m dapp.irec.simulator --port 5100 --state var/irec/registry.sqlite3 --token T`. It implements
the endpoints `dapp.irec.registry` calls, with the behaviour of the registry that matters to the platform:
decisions arrive asynchronously after a configurable delay, requests may be rejected with a reason, issuance is
in whole MWh and may approve fewer MWh than asked, serial ranges never overlap across issuances, every creating
request is idempotent by its client key, the platform and redemption accounts keep balances, and a redemption
returns a statement with a reference. `POST /_simulator/behaviour` changes what the next requests meet (tests,
demos). The application never imports this package: it speaks to it over HTTP, as to the real registry.
"""
