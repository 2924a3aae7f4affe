"""Errors of reads, each a problem document with a stable code (STYLE.md: `<Subject><Problem>`)."""

from dapp.errors import Conflict, DomainError, Invalid, NotFound


class BadHeader(Invalid):
    """The CSV file's header row lacks required columns."""

    code = "bad_header"


class BatchRejected(Invalid):
    """A read was rejected and `atomic=true` was asked: nothing was stored; `results` say why."""

    code = "batch_rejected"


class DrecBadRequest(DomainError):
    """The original D-REC route's 400: the request is not valid; `cause`, `errors` and `message` say why."""

    code = "drec_bad_request"


class DrecDeviceInvalid(Conflict):
    """The original D-REC route's 409 for a device it cannot find ('Invalid device id'); `cause` says why."""

    code = "drec_device_invalid"


class ConcurrentReads(Conflict):
    """Another request stored reads of the same device at the same time; send the batch again."""

    code = "concurrent_reads"


class CountryYieldNotFound(NotFound):
    """No yield is configured for this country."""

    code = "country_yield_not_found"


class EmptyFile(Invalid):
    """The file has no reads."""

    code = "empty_file"


class FileTooLarge(Invalid):
    """The file is larger than 10 MB."""

    code = "file_too_large"


class IdempotencyKeyInUse(Conflict):
    """Another request with this Idempotency-Key is being processed; retry it."""

    code = "idempotency_key_in_use"


class IdempotencyKeyReused(Invalid):
    """The Idempotency-Key was already used for a different request."""

    code = "idempotency_key_reused"


class NotAnAggregateMeter(Invalid):
    """Only a device that sends aggregate reads has a meter register to replace."""

    code = "not_an_aggregate_meter"


class NotUtf8(Invalid):
    """The file is not UTF-8 text."""

    code = "not_utf8"


class OrganizationMismatch(Conflict):
    """organizationId is not the organization of the API key."""

    code = "organization_mismatch"


class ReadNotFlagged(Conflict):
    """The read is not flagged: there is nothing to decide."""

    code = "not_flagged"


class ReadNotFound(NotFound):
    """There is no read with this id."""

    code = "read_not_found"


class ReadsRejected(Conflict):
    """At least one read was rejected: nothing was stored (D-REC compatible answer)."""

    code = "reads_rejected"


class TooManyRows(Invalid):
    """The file has more reads than one request may carry."""

    code = "too_many_rows"
