"""Account use cases, one module per use case. Plain functions taking (session, …); they flush, never commit."""
