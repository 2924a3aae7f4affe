"""Errors of access, each a problem document with a stable code (STYLE.md: `<Subject><Problem>`)."""

from dapp.errors import Forbidden, Unauthenticated


class AccountNoLongerActive(Forbidden):
    """The signed-in account was disabled or anonymised, or its organization was disabled."""

    code = "account_disabled"


class ApiKeyDisabled(Unauthenticated):
    """The API key's organization is disabled, or its creator left, was disabled or deleted their account and no
    organization admin adopted it yet (`reason`: creator_gone)."""

    code = "api_key_disabled"


class BadAuthorization(Unauthenticated):
    """The Authorization header is not 'Bearer <api key>'."""

    code = "bad_authorization"


class CsrfFailed(Forbidden):
    """A signed-in browser call lacks the page's CSRF token (X-CSRFToken header)."""

    code = "csrf_failed"


class InvalidApiKey(Unauthenticated):
    """The API key is unknown, revoked or expired."""

    code = "invalid_api_key"


class OrgAdminRequired(Forbidden):
    """Only an admin of the organization may do this."""

    code = "org_admin_required"


class PermissionMissing(Forbidden):
    """The caller lacks the route's permission; `module` and `permission` name it."""

    code = "permission_missing"


class PersonRequired(Forbidden):
    """Only a signed-in person may do this, not an API key."""

    code = "person_required"


class PlatformAdminRequired(Forbidden):
    """Only a platform admin may do this."""

    code = "platform_admin_required"
