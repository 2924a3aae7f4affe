"""Meter-read use cases, one module per use case: ingestion (single device, many devices, the D-REC shape),
idempotent retries, meter replacement, per-country yields, reviews of flagged reads, listing and the ledger."""
