"""Account use cases, one module per use case. Plain functions taking (session, …); they flush, never commit."""

from dapp.accounts.service.api_keys import create_api_key, list_api_keys, revoke_api_key
from dapp.accounts.service.registration import (
    CONFIRMATION_TTL,
    confirm_email,
    issue_email_token,
    register,
    resend_confirmation,
)
from dapp.accounts.service.sign_in import check_credentials, record_failed_sign_in, sign_in

__all__ = [
    "CONFIRMATION_TTL",
    "check_credentials",
    "confirm_email",
    "create_api_key",
    "issue_email_token",
    "list_api_keys",
    "record_failed_sign_in",
    "register",
    "resend_confirmation",
    "revoke_api_key",
    "sign_in",
]
