"""Issuance use cases (R-ISS), one module per use case; callers import the module they need. Plain functions
taking (session, …); they flush, never commit."""
