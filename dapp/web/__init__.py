"""The web kit shared by pages and the API: typed routes and their access rules (`api.py`), page decorators and
form actions (`pages.py`), the OpenAPI document (`docs.py`), sign-in sessions, query helpers, filters, health.
It knows no feature; `dapp.app` assembles them."""
