"""Reservation use cases (R-RES), one module per use case: plain functions taking (session, actor, now, …)."""
