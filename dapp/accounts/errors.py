"""Errors of accounts that need their own HTTP status."""

from dapp.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unauthenticated


class TooManyAttempts(DomainError):
    """Sign-in attempts are rate-limited (R-ACC-3)."""

    status = 429
    code = "too_many_attempts"
    title = "Too many attempts"


class AccountDisabled(Unauthenticated):
    """The account may not sign in: it, or its organization, is disabled."""

    code = "account_disabled"


class AlreadyInOrganization(Conflict):
    """The person already has an account in an organization and cannot join another."""

    code = "already_in_organization"


class ApiKeyAlreadyRevoked(Conflict):
    """The API key is already revoked."""

    code = "api_key_already_revoked"


class ApiKeyNotFound(NotFound):
    """The organization has no API key with this id."""

    code = "api_key_not_found"


class ChallengeExpired(Conflict):
    """The wallet challenge expired; ask for a new one."""

    code = "challenge_expired"


class ChallengeNotFound(NotFound):
    """The organization has no wallet challenge with this id."""

    code = "challenge_not_found"


class ChallengeUsed(Conflict):
    """The wallet challenge was already used; ask for a new one."""

    code = "challenge_used"


class EmailNotConfirmed(Unauthenticated):
    """The account's email address is not confirmed yet."""

    code = "email_not_confirmed"


class EmailTaken(Conflict):
    """An account with this email address exists already."""

    code = "email_taken"


class InvalidCredentials(Unauthenticated):
    """The email address or the password is wrong."""

    code = "invalid_credentials"


class InvalidToken(Invalid):
    """The link's single-use token is unknown, used or expired."""

    code = "invalid_token"


class InvitationAlreadyAnswered(Invalid):
    """The invitation was already accepted, declined or revoked."""

    code = "invitation_not_pending"


class InvitationExpired(Invalid):
    """The invitation expired (invitations are valid for 7 days)."""

    code = "invitation_expired"


class InvitationNotFound(NotFound):
    """The organization has no invitation with this id."""

    code = "invitation_not_found"


class InvitationNotPending(Conflict):
    """Only a pending invitation can be revoked."""

    code = "invitation_not_pending"


class InvitationPending(Conflict):
    """The person already has a pending invitation to the organization."""

    code = "invitation_pending"


class MemberIsAdmin(Forbidden):
    """An organization admin holds every permission; their permissions cannot be changed."""

    code = "member_is_admin"


class MemberNotFound(NotFound):
    """The organization has no member with this id."""

    code = "member_not_found"


class NotABuyer(Forbidden):
    """Only buyer organizations may do this."""

    code = "not_a_buyer"


class OrganizationDisabled(Invalid):
    """The organization is disabled."""

    code = "organization_disabled"


class OrganizationNameTaken(Conflict):
    """An organization with this name exists already."""

    code = "organization_name_taken"


class OwnPermissionsLocked(Forbidden):
    """Members cannot change their own permissions."""

    code = "own_permissions"


class WalletBoundElsewhere(Conflict):
    """The wallet is bound to another organization, or is another organization's managed account."""

    code = "wallet_bound_elsewhere"


class WalletNotBound(Conflict):
    """The organization has no wallet of its own bound."""

    code = "wallet_not_bound"


class ApiKeyAlreadyYours(Conflict):
    """The admin adopting an API key is already its creator."""

    code = "api_key_already_yours"


class SessionNotFound(NotFound):
    """The person has no active session with this id."""

    code = "session_not_found"


class AccountExists(Conflict):
    """A concurrent sign-up took this email address or organization name first."""

    code = "account_exists"
