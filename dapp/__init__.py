"""The D-REC registry: a Flask application (`dapp.app.create_app`), its workers, scheduler and indexer.

`docs/architecture.md` draws the floors: ground (`models`, `access`, `db`, …), adapters (`chain`, `ipfs`, `mail`),
the web kit (`web`), the features, and the wiring (`app`, `jobs`, `cli`).
"""
