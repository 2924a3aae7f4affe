"""Buyer reservations: creating and ending them, the device catalogue, device exclusivity."""
