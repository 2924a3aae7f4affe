"""Webhook use cases: `endpoints` (register, change, enable, remove), `deliveries` (fan-out, tries, re-sends,
test events, the delivery log)."""
