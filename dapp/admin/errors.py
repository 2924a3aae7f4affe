"""Errors of admin, each a problem document with a stable code (STYLE.md: `<Subject><Problem>`)."""

from dapp.errors import Conflict, Forbidden, NotFound


class OrganizationNotFound(NotFound):
    """There is no organization with this id."""

    code = "organization_not_found"


class OutboxEntryDone(Conflict):
    """The chain-outbox entry is done: there is nothing to retry."""

    code = "outbox_entry_done"


class OutboxEntryInFlight(Conflict):
    """The entry's transaction is in flight: only its receipt decides."""

    code = "outbox_entry_in_flight"


class MasterKeyMismatch(Conflict):
    """A managed key does not open with the current secret key; nothing was re-encrypted."""

    code = "master_key_mismatch"


class OutboxEntryNotFound(NotFound):
    """There is no chain-outbox entry with this id."""

    code = "outbox_entry_not_found"


class OwnAccountLocked(Forbidden):
    """Platform admins cannot disable their own account."""

    code = "own_account"


class UserNotFound(NotFound):
    """There is no user with this id."""

    code = "user_not_found"


class JobNotFailed(NotFound):
    """There is no failed job with this id."""

    code = "job_not_failed"
