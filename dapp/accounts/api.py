"""/api/v1 routes of accounts: sign-up and email links, own account, organization, members, invitations, API keys."""

import uuid

from dapp import platform
from dapp.accounts import emails, service
from dapp.accounts.permissions import Module, Permission, require_person
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
    RegistrationCreate,
    RegistrationRead,
    WalletBindingCreate,
    WalletChallengeCreate,
    WalletChallengeRead,
)
from dapp.accounts.service import credentials, invitations, members, organization, personal_data, wallet
from dapp.web.api import ApiBlueprint, Call

api = ApiBlueprint("accounts_api", __name__)

LINK_SENT = "If an account can use it, a link is on its way to this address."


def _me(call: Call) -> uuid.UUID:
    """The signed-in person of a self-service route (checked by the route's access rule)."""
    assert call.actor is not None
    return require_person(call.actor)


@api.endpoint_route(
    "/registrations", "POST", public=True, body=RegistrationCreate, response=RegistrationRead, status=201
)
def register(call: Call) -> RegistrationRead:
    """Register an organization and its admin; a confirmation email is sent."""
    p = platform.current()
    user, token = service.register(call.session, call.now, p.settings.secret_key, call.body)
    email = user.email
    call.after_commit.append(lambda: emails.send_confirmation(email, token))
    return RegistrationRead(
        user_id=user.id,
        organization_id=user.organization_id,
        email=email,
        message="Check your email and follow the link to confirm your address.",
    )


@api.endpoint_route("/email-confirmations", "POST", public=True, body=EmailConfirmation)
def confirm_email(call: Call) -> dict[str, str]:
    """Confirm an email address with the single-use token from the confirmation email."""
    user = service.confirm_email(call.session, call.now, call.body.token)
    return {"email": user.email, "status": "confirmed"}


@api.endpoint_route("/email-confirmation-requests", "POST", public=True, body=EmailOnly, response=Message, status=202)
def resend_confirmation(call: Call) -> Message:
    """Send a new confirmation link (the answer is the same whether or not the email is registered)."""
    sent = service.resend_confirmation(call.session, call.now, platform.current().redis, call.body.email)
    if sent is not None:
        call.after_commit.append(lambda: emails.send_confirmation(*sent))
    return Message(message=LINK_SENT)


@api.endpoint_route("/password-reset-requests", "POST", public=True, body=EmailOnly, response=Message, status=202)
def request_password_reset(call: Call) -> Message:
    """Email a password-reset link valid for one hour (the answer never says whether the email is registered)."""
    sent = credentials.request_password_reset(call.session, call.now, platform.current().redis, call.body.email)
    if sent is not None:
        call.after_commit.append(lambda: emails.send_password_reset(*sent))
    return Message(message=LINK_SENT)


@api.endpoint_route("/password-resets", "POST", public=True, body=PasswordReset, response=Message)
def reset_password(call: Call) -> Message:
    """Set a new password with the token of a reset link; the link works once."""
    credentials.reset_password(call.session, call.now, call.body)
    return Message(message="Your password is changed. Sign in with the new one.")


@api.endpoint_route(
    "/invitation-acceptances", "POST", public=True, body=InvitationAcceptance, response=RegistrationRead, status=201
)
def accept_invitation(call: Call) -> RegistrationRead:
    """Accept an invitation: the account is created with the password chosen here and the granted permissions."""
    user = invitations.accept(call.session, call.now, call.body)
    assert user.organization_id is not None
    return RegistrationRead(
        user_id=user.id, organization_id=user.organization_id, email=user.email, message="Welcome! You can sign in."
    )


@api.endpoint_route("/invitation-rejections", "POST", public=True, body=InvitationRejection, response=Message)
def reject_invitation(call: Call) -> Message:
    """Decline an invitation; no account is created."""
    invitations.reject(call.session, call.now, call.body.token)
    return Message(message="You declined the invitation.")


@api.endpoint_route("/me", "GET", self_service=True)
def who_am_i(call: Call) -> dict[str, object]:
    """The signed-in person: name, email, organization and permissions."""
    return personal_data.export(call.session, call.now, _me(call)).model_dump(
        mode="json", include={"profile", "organization"}
    )


@api.endpoint_route("/me/password", "PUT", self_service=True, body=PasswordChange, response=Message)
def change_password(call: Call) -> Message:
    """Change your password (current one required); your other sessions end."""
    credentials.change_password(call.session, call.now, _me(call), call.body)
    return Message(message="Your password is changed.")


@api.endpoint_route("/me/personal-data", "GET", self_service=True, response=PersonalData)
def export_personal_data(call: Call) -> PersonalData:
    """Everything the registry holds about you, as JSON (R-ACC-10)."""
    return personal_data.export(call.session, call.now, _me(call))


@api.endpoint_route("/me/anonymisation", "POST", self_service=True, body=Anonymisation, response=Message)
def anonymise_me(call: Call) -> Message:
    """Delete your personal data: name and email are anonymised; your organization's records stay."""
    personal_data.anonymise(call.session, call.now, _me(call), call.body)
    return Message(message="Your personal data is deleted and your account closed.")


@api.endpoint_route(
    "/organization", "GET", module=Module.ORGANIZATION, permission=Permission.READ, response=OrganizationRead
)
def get_organization(call: Call) -> OrganizationRead:
    """Your organization: name, type, address and blockchain account."""
    return OrganizationRead.model_validate(organization.get_organization(call.session, call.actor))


@api.endpoint_route(
    "/organization",
    "PATCH",
    module=Module.ORGANIZATION,
    permission=Permission.UPDATE,
    body=OrganizationUpdate,
    response=OrganizationRead,
)
def update_organization(call: Call) -> OrganizationRead:
    """Change your organization's name and/or address."""
    return OrganizationRead.model_validate(
        organization.update_organization(call.session, call.actor, call.now, call.body)
    )


@api.endpoint_route(
    "/organization/wallet-challenges",
    "POST",
    module=Module.ORGANIZATION,
    permission=Permission.UPDATE,
    body=WalletChallengeCreate,
    response=WalletChallengeRead,
    status=201,
)
def request_wallet_challenge(call: Call) -> WalletChallengeRead:
    """Get a message for your own wallet to sign (admins of buyer organizations); it expires in 10 minutes."""
    settings = platform.current().settings
    challenge = wallet.request_challenge(
        call.session, call.actor, call.now, settings.chain_id, settings.base_url, call.body
    )
    return wallet.challenge_read(challenge)


@api.endpoint_route(
    "/organization/wallet",
    "PUT",
    module=Module.ORGANIZATION,
    permission=Permission.UPDATE,
    body=WalletBindingCreate,
    response=OrganizationRead,
)
def bind_wallet(call: Call) -> OrganizationRead:
    """Bind your own wallet with its signature of a challenge; new reservations' certificates then go to it."""
    return OrganizationRead.model_validate(wallet.bind_wallet(call.session, call.actor, call.now, call.body))


@api.endpoint_route(
    "/organization/wallet",
    "DELETE",
    module=Module.ORGANIZATION,
    permission=Permission.UPDATE,
    response=OrganizationRead,
)
def unbind_wallet(call: Call) -> OrganizationRead:
    """Unbind your own wallet: new reservations' certificates go to the platform-managed account again."""
    return OrganizationRead.model_validate(wallet.unbind_wallet(call.session, call.actor, call.now))


@api.endpoint_route("/members", "GET", module=Module.USERS, permission=Permission.READ)
def list_members(call: Call) -> list[dict[str, object]]:
    """Your organization's members with their permissions."""
    return [member.model_dump(mode="json") for member in members.list_members(call.session, call.actor)]


@api.endpoint_route(
    "/members/<uuid:user_id>/permissions",
    "PUT",
    module=Module.USERS,
    permission=Permission.UPDATE,
    body=PermissionsUpdate,
    response=MemberRead,
)
def change_member_permissions(call: Call, user_id: uuid.UUID) -> MemberRead:
    """Replace a member's permissions (admins' cannot be changed; nobody grants what they do not hold)."""
    member = members.change_permissions(call.session, call.actor, call.now, user_id, call.body.permissions)
    return members.member_read(member)


@api.endpoint_route(
    "/invitations",
    "POST",
    module=Module.USERS,
    permission=Permission.WRITE,
    body=InvitationCreate,
    response=InvitationRead,
    status=201,
)
def invite(call: Call) -> InvitationRead:
    """Invite a person into your organization with permissions; they get an email link valid for 7 days."""
    now = call.now
    sent = invitations.invite(call.session, call.actor, now, call.body)
    call.after_commit.append(lambda: emails.send_invitation(sent))
    return invitations.read(sent.invitation, now)


@api.endpoint_route("/invitations", "GET", module=Module.USERS, permission=Permission.READ)
def list_invitations(call: Call) -> list[dict[str, object]]:
    """Your organization's invitations, newest first."""
    return [i.model_dump(mode="json") for i in invitations.list_invitations(call.session, call.actor, call.now)]


@api.endpoint_route(
    "/invitations/<uuid:invitation_id>",
    "DELETE",
    module=Module.USERS,
    permission=Permission.DELETE,
    response=InvitationRead,
)
def revoke_invitation(call: Call, invitation_id: uuid.UUID) -> InvitationRead:
    """Revoke a pending invitation; its link stops working."""
    now = call.now
    return invitations.read(invitations.revoke(call.session, call.actor, now, invitation_id), now)


@api.endpoint_route(
    "/api-keys",
    "POST",
    module=Module.API_KEYS,
    permission=Permission.WRITE,
    body=ApiKeyCreate,
    response=ApiKeyCreated,
    status=201,
)
def create_api_key(call: Call) -> ApiKeyCreated:
    """Create an API key; the secret is in this response only."""
    api_key, key = service.create_api_key(call.session, call.actor, call.body, call.now)
    call.session.refresh(api_key)
    return ApiKeyCreated.model_validate(
        {**ApiKeyRead.model_validate(api_key, from_attributes=True).model_dump(), "key": key}
    )


@api.endpoint_route("/api-keys", "GET", module=Module.API_KEYS, permission=Permission.READ)
def list_api_keys(call: Call) -> list[dict[str, object]]:
    """List the organization's API keys (never their secrets)."""
    keys = service.list_api_keys(call.session, call.actor)
    return [ApiKeyRead.model_validate(key, from_attributes=True).model_dump(mode="json") for key in keys]


@api.endpoint_route(
    "/api-keys/<uuid:key_id>", "DELETE", module=Module.API_KEYS, permission=Permission.DELETE, response=ApiKeyRead
)
def revoke_api_key(call: Call, key_id: uuid.UUID) -> ApiKeyRead:
    """Revoke an API key; it stops working at once."""
    api_key = service.revoke_api_key(call.session, call.actor, call.now, key_id)
    return ApiKeyRead.model_validate(api_key, from_attributes=True)
