"""Domain errors raised by services, turned into RFC 9457 problem documents (API) or error pages (HTML).

A problem's code belongs to its class (each feature's `errors.py` names its problems, ADR 0065): a raise site
gives the detail, for a person, and any extra members, never a code."""

from typing import Any

PROBLEM_TYPE_BASE = "https://drec.example/problems/"


class DomainError(Exception):
    """A failure a client can understand and act on."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        if extra.keys() & {"type", "title", "status", "code"}:
            raise TypeError(f"{type(self).__name__}: a problem's own members come from its class, not its raise site")
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def problem(self) -> dict[str, Any]:
        """The problem document (RFC 9457) describing this error."""
        return {
            "type": f"{PROBLEM_TYPE_BASE}{self.code}",
            "title": self.title,
            "status": self.status,
            "code": self.code,
            "detail": self.detail,
            **self.extra,
        }


class Invalid(DomainError):
    """The request is well formed but breaks a rule; `errors` names the fields."""

    status = 422
    code = "validation_failed"
    title = "Validation failed"


class Unauthenticated(DomainError):
    """Sign in, or send an API key as 'Authorization: Bearer <key>'."""

    status = 401
    code = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    """The caller may not do this."""

    status = 403
    code = "forbidden"
    title = "Forbidden"


class NotFound(DomainError):
    """There is no such thing (for this caller)."""

    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    """The request conflicts with the registry's current state."""

    status = 409
    code = "conflict"
    title = "Conflict"


def field_error(field: str, message: str, code: str = "invalid") -> Invalid:
    """A validation error about one field."""
    return Invalid(message, errors=[{"field": field, "code": code, "message": message}])


class Unavailable(DomainError):
    """A service the platform depends on could not be reached; nothing was changed, the request can be retried."""

    status = 503
    code = "service_unavailable"
    title = "Service unavailable"


class DatabaseUnavailable(Unavailable):
    """The database could not be reached; nothing was stored. Retry the request."""

    code = "database_unavailable"


class RedisUnavailable(Unavailable):
    """Redis (the job queues and the platform clock) could not be reached. Retry the request."""

    code = "redis_unavailable"


class InvalidFilter(Invalid):
    """Some filter parameters are not valid; `errors` names them."""

    code = "invalid_filter"


class ControlCharacter(Invalid):
    """A field holds a control character (such as NUL) that no text of the registry can hold; `errors` names it."""

    code = "control_character"


class UnknownParameter(Invalid):
    """The request names a query parameter the operation does not take; `errors` names it."""

    code = "unknown_parameter"


class MalformedJson(DomainError):
    """The request body is not valid JSON."""

    code = "malformed_json"
