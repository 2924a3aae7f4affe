"""/api/v1 routes of accounts: sign-up and email links, own account, organization, members, invitations, API keys."""

import uuid

from dapp import platform
from dapp.access.errors import OrgAdminRequired, PersonRequired
from dapp.access.permissions import Module, Permission
from dapp.accounts.errors import (
    AccountExists,
    AlreadyInOrganization,
    ApiKeyAlreadyRevoked,
    ApiKeyAlreadyYours,
    ApiKeyNotFound,
    ChallengeExpired,
    ChallengeNotFound,
    ChallengeUsed,
    InvalidToken,
    InvitationAlreadyAnswered,
    InvitationExpired,
    InvitationNotFound,
    InvitationNotPending,
    InvitationPending,
    MemberIsAdmin,
    MemberNotFound,
    NotABuyer,
    OrganizationDisabled,
    OrganizationNameTaken,
    OwnPermissionsLocked,
    WalletBoundElsewhere,
    WalletNotBound,
)
from dapp.accounts.schemas import (
    Anonymisation,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    EmailConfirmation,
    EmailOnly,
    InvitationAcceptance,
    InvitationCreate,
    InvitationRead,
    InvitationRejection,
    MemberRead,
    Message,
    OrganizationRead,
    OrganizationUpdate,
    PasswordChange,
    PasswordReset,
    PermissionsUpdate,
    PersonalData,
    RegistrationAccepted,
    RegistrationCreate,
    RegistrationRead,
    WalletBindingCreate,
    WalletChallengeCreate,
    WalletChallengeRead,
)
from dapp.accounts.service import (
    api_keys,
    credentials,
    invitations,
    members,
    organization,
    personal_data,
    registration,
    wallet,
)
from dapp.models.accounts import User
from dapp.web.api import ApiBlueprint, MemberCall, PersonCall, PublicCall
from dapp.web.login import current_session_token

api = ApiBlueprint("accounts_api", __name__)

LINK_SENT = "If an account can use it, a link is on its way to this address."
REGISTRATION_ACCEPTED = "Check your email and follow the link to confirm your address."


@api.public_route(
    "/registrations",
    "POST",
    body=RegistrationCreate,
    response=RegistrationAccepted,
    status=202,
    errors=(AccountExists, OrganizationNameTaken),
)
def register(call: PublicCall[RegistrationCreate]) -> RegistrationAccepted:
    """Register an organization and its admin; a confirmation email is sent. The answer is the same when the
    email is registered already (its owner is told by email), so it reveals no account."""
    p = platform.current()
    registration.register(call.session, call.now, p.redis, p.settings.secret_key, call.body)
    return RegistrationAccepted(email=call.body.email, message=REGISTRATION_ACCEPTED)


@api.public_route("/email-confirmations", "POST", body=EmailConfirmation, errors=(InvalidToken,))
def confirm_email(call: PublicCall[EmailConfirmation]) -> dict[str, str]:
    """Confirm an email address with the single-use token from the confirmation email."""
    user = registration.confirm_email(call.session, call.now, call.body.token)
    return {"email": user.email, "status": "confirmed"}


@api.public_route("/email-confirmation-requests", "POST", body=EmailOnly, response=Message, status=202)
def resend_confirmation(call: PublicCall[EmailOnly]) -> Message:
    """Send a new confirmation link (the answer is the same whether or not the email is registered)."""
    registration.resend_confirmation(call.session, call.now, platform.current().redis, call.body.email)
    return Message(message=LINK_SENT)


@api.public_route("/password-reset-requests", "POST", body=EmailOnly, response=Message, status=202)
def request_password_reset(call: PublicCall[EmailOnly]) -> Message:
    """Email a password-reset link valid for one hour (the answer never says whether the email is registered)."""
    credentials.request_password_reset(call.session, call.now, platform.current().redis, call.body.email)
    return Message(message=LINK_SENT)


@api.public_route("/password-resets", "POST", body=PasswordReset, response=Message, errors=(InvalidToken,))
def reset_password(call: PublicCall[PasswordReset]) -> Message:
    """Set a new password with the token of a reset link; the link works once."""
    credentials.reset_password(call.session, call.now, call.body)
    return Message(message="Your password is changed. Sign in with the new one.")


@api.public_route(
    "/invitation-acceptances",
    "POST",
    body=InvitationAcceptance,
    response=RegistrationRead,
    status=201,
    errors=(AlreadyInOrganization, InvalidToken, InvitationAlreadyAnswered, InvitationExpired, OrganizationDisabled),
)
def accept_invitation(call: PublicCall[InvitationAcceptance]) -> RegistrationRead:
    """Accept an invitation: the account is created with the password chosen here and the granted permissions."""
    user = invitations.accept(call.session, call.now, call.body)
    assert user.organization_id is not None
    return RegistrationRead(
        user_id=user.id, organization_id=user.organization_id, email=user.email, message="Welcome! You can sign in."
    )


@api.public_route(
    "/invitation-rejections",
    "POST",
    body=InvitationRejection,
    response=Message,
    errors=(InvalidToken, InvitationAlreadyAnswered, InvitationExpired),
)
def reject_invitation(call: PublicCall[InvitationRejection]) -> Message:
    """Decline an invitation; no account is created."""
    invitations.reject(call.session, call.now, call.body.token)
    return Message(message="You declined the invitation.")


@api.person_route("/me", "GET")
def who_am_i(call: PersonCall[None]) -> dict[str, object]:
    """The signed-in person: name, email, organization and permissions."""
    return personal_data.export(call.session, call.now, call.actor.user_id).model_dump(
        mode="json", include={"profile", "organization"}
    )


@api.person_route("/me/password", "PUT", body=PasswordChange, response=Message)
def change_password(call: PersonCall[PasswordChange]) -> Message:
    """Change your password (current one required); your other sessions end."""
    credentials.change_password(call.session, call.now, call.actor.user_id, call.body, current_session_token())
    return Message(message="Your password is changed.")


@api.person_route("/me/personal-data", "GET", response=PersonalData)
def export_personal_data(call: PersonCall[None]) -> PersonalData:
    """Everything the registry holds about you, as JSON (R-ACC-10)."""
    return personal_data.export(call.session, call.now, call.actor.user_id)


@api.person_route("/me/anonymisation", "POST", body=Anonymisation, response=Message)
def anonymise_me(call: PersonCall[Anonymisation]) -> Message:
    """Delete your personal data: name and email are anonymised; your organization's records stay."""
    personal_data.anonymise(call.session, call.now, call.actor.user_id, call.body)
    return Message(message="Your personal data is deleted and your account closed.")


@api.member_route("/organization", "GET", Module.ORGANIZATION, Permission.READ, response=OrganizationRead)
def get_organization(call: MemberCall[None]) -> OrganizationRead:
    """Your organization: name, type, address and blockchain account."""
    return OrganizationRead.model_validate(organization.get_organization(call.session, call.actor))


@api.member_route(
    "/organization",
    "PATCH",
    Module.ORGANIZATION,
    Permission.UPDATE,
    body=OrganizationUpdate,
    response=OrganizationRead,
    errors=(OrganizationNameTaken,),
)
def update_organization(call: MemberCall[OrganizationUpdate]) -> OrganizationRead:
    """Change your organization's name and/or address."""
    return OrganizationRead.model_validate(
        organization.update_organization(call.session, call.actor, call.now, call.body)
    )


@api.member_route(
    "/organization/wallet-challenges",
    "POST",
    Module.ORGANIZATION,
    Permission.UPDATE,
    body=WalletChallengeCreate,
    response=WalletChallengeRead,
    status=201,
    errors=(NotABuyer, OrgAdminRequired, WalletBoundElsewhere),
)
def request_wallet_challenge(call: MemberCall[WalletChallengeCreate]) -> WalletChallengeRead:
    """Get a message for your own wallet to sign (admins of buyer organizations); it expires in 10 minutes."""
    settings = platform.current().settings
    challenge = wallet.request_challenge(
        call.session, call.actor, call.now, settings.chain_id, settings.base_url, call.body
    )
    return wallet.challenge_read(challenge)


@api.member_route(
    "/organization/wallet",
    "PUT",
    Module.ORGANIZATION,
    Permission.UPDATE,
    body=WalletBindingCreate,
    response=OrganizationRead,
    errors=(ChallengeExpired, ChallengeNotFound, ChallengeUsed, NotABuyer, OrgAdminRequired, WalletBoundElsewhere),
)
def bind_wallet(call: MemberCall[WalletBindingCreate]) -> OrganizationRead:
    """Bind your own wallet with its signature of a challenge; new reservations' certificates then go to it."""
    return OrganizationRead.model_validate(wallet.bind_wallet(call.session, call.actor, call.now, call.body))


@api.member_route(
    "/organization/wallet",
    "DELETE",
    Module.ORGANIZATION,
    Permission.UPDATE,
    response=OrganizationRead,
    errors=(NotABuyer, OrgAdminRequired, WalletNotBound),
)
def unbind_wallet(call: MemberCall[None]) -> OrganizationRead:
    """Unbind your own wallet: new reservations' certificates go to the platform-managed account again."""
    return OrganizationRead.model_validate(wallet.unbind_wallet(call.session, call.actor, call.now))


@api.member_route("/members", "GET", Module.USERS, Permission.READ)
def list_members(call: MemberCall[None]) -> list[dict[str, object]]:
    """Your organization's members with their permissions."""
    return [member.model_dump(mode="json") for member in members.list_members(call.session, call.actor)]


@api.member_route(
    "/members/<uuid:user_id>/permissions",
    "PUT",
    Module.USERS,
    Permission.UPDATE,
    body=PermissionsUpdate,
    response=MemberRead,
    errors=(MemberIsAdmin, MemberNotFound, OwnPermissionsLocked),
)
def change_member_permissions(call: MemberCall[PermissionsUpdate], user_id: uuid.UUID) -> MemberRead:
    """Replace a member's permissions (admins' cannot be changed; nobody grants what they do not hold)."""
    member = members.change_permissions(call.session, call.actor, call.now, user_id, call.body.permissions)
    return members.member_read(member)


@api.member_route(
    "/invitations",
    "POST",
    Module.USERS,
    Permission.WRITE,
    body=InvitationCreate,
    response=InvitationRead,
    status=201,
    errors=(AlreadyInOrganization, InvitationPending),
)
def invite(call: MemberCall[InvitationCreate]) -> InvitationRead:
    """Invite a person into your organization with permissions; they get an email link valid for 7 days."""
    now = call.now
    return invitations.read(invitations.invite(call.session, call.actor, now, call.body), now)


@api.member_route("/invitations", "GET", Module.USERS, Permission.READ)
def list_invitations(call: MemberCall[None]) -> list[dict[str, object]]:
    """Your organization's invitations, newest first."""
    return [i.model_dump(mode="json") for i in invitations.list_invitations(call.session, call.actor, call.now)]


@api.member_route(
    "/invitations/<uuid:invitation_id>",
    "DELETE",
    Module.USERS,
    Permission.DELETE,
    response=InvitationRead,
    errors=(InvitationNotFound, InvitationNotPending),
)
def revoke_invitation(call: MemberCall[None], invitation_id: uuid.UUID) -> InvitationRead:
    """Revoke a pending invitation; its link stops working."""
    now = call.now
    return invitations.read(invitations.revoke(call.session, call.actor, now, invitation_id), now)


@api.member_route(
    "/api-keys",
    "POST",
    Module.API_KEYS,
    Permission.WRITE,
    body=ApiKeyCreate,
    response=ApiKeyCreated,
    status=201,
    errors=(PersonRequired,),
)
def create_api_key(call: MemberCall[ApiKeyCreate]) -> ApiKeyCreated:
    """Create an API key; the secret is in this response only."""
    api_key, key = api_keys.create_api_key(call.session, call.actor, call.body, call.now)
    call.session.refresh(api_key)
    creator = call.session.get_one(User, api_key.created_by_id)
    return ApiKeyCreated.model_validate({**api_keys.key_read(api_key, creator).model_dump(), "key": key})


@api.member_route("/api-keys", "GET", Module.API_KEYS, Permission.READ)
def list_api_keys(call: MemberCall[None]) -> list[dict[str, object]]:
    """List the organization's API keys (never their secrets)."""
    return [key.model_dump(mode="json") for key in api_keys.list_api_keys(call.session, call.actor)]


@api.member_route(
    "/api-keys/<uuid:key_id>",
    "DELETE",
    Module.API_KEYS,
    Permission.DELETE,
    response=ApiKeyRead,
    errors=(ApiKeyAlreadyRevoked, ApiKeyNotFound),
)
def revoke_api_key(call: MemberCall[None], key_id: uuid.UUID) -> ApiKeyRead:
    """Revoke an API key; it stops working at once."""
    api_key = api_keys.revoke_api_key(call.session, call.actor, call.now, key_id)
    return api_keys.key_read(api_key, call.session.get_one(User, api_key.created_by_id))


@api.member_route(
    "/api-keys/<uuid:key_id>/adoption",
    "POST",
    Module.API_KEYS,
    Permission.UPDATE,
    response=ApiKeyRead,
    errors=(ApiKeyAlreadyRevoked, ApiKeyAlreadyYours, ApiKeyNotFound, OrgAdminRequired),
)
def adopt_api_key(call: MemberCall[None], key_id: uuid.UUID) -> ApiKeyRead:
    """Adopt an API key (organization admins): you become its creator, so it acts with your permissions and keeps
    working when the person who made it leaves, is disabled or deletes their account (or works again if it
    stopped for that reason)."""
    return api_keys.adopt_api_key(call.session, call.actor, call.now, key_id)
