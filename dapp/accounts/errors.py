"""Errors of accounts that need their own HTTP status."""

from dapp.errors import DomainError


class TooManyAttempts(DomainError):
    """Sign-in attempts are rate-limited (R-ACC-3)."""

    status = 429
    code = "too_many_attempts"
    title = "Too many attempts"
