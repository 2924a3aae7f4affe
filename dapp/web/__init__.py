"""Web plumbing shared by pages and API: typed API routes, problem documents, templates, CSRF."""
