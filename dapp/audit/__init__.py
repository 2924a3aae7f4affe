"""Audit log (R-ACC-11): an append-only record of security- and registry-relevant actions.

Any feature records an action with `dapp.audit.service.record(...)` inside its own unit of work, so the
entry is committed with the change it describes (and vanishes with it on rollback). Actions are named
`<subject>.<verb>` (`user.login`, `api_key.revoke`, `device.update`); `before`/`after` hold short summaries of the
fields that changed, never secrets.
"""
