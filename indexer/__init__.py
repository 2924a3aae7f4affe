"""The event indexer: follows the contracts' events into SQL after N confirmations (R-IDX-1)."""
