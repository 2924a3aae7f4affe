"""Meter reads: ingestion, validation rules (versioned), and the energy each device reported."""
