"""The chain adapter: contracts and typed calls (web3 stays in here and in the indexer), recorded sending, the
outbox's life cycle and its job. It knows no certificate or reservation: features send through it with their own
outbox handlers (`<feature>/onchain.py`, ADR 0062)."""
