"""/api/v1 routes of accounts: sign-up, email confirmation, API keys."""

from dapp import platform
from dapp.accounts import service
from dapp.accounts.emails import send_confirmation
from dapp.accounts.permissions import Module, Permission
from dapp.accounts.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    EmailConfirmation,
    RegistrationCreate,
    RegistrationRead,
)
from dapp.web.api import ApiBlueprint, Call

api = ApiBlueprint("accounts_api", __name__)


@api.endpoint_route(
    "/registrations", "POST", public=True, body=RegistrationCreate, response=RegistrationRead, status=201
)
def register(call: Call) -> RegistrationRead:
    """Register an organization and its admin; a confirmation email is sent."""
    p = platform.current()
    user, token = service.register(call.session, p.clock.now(), p.settings.secret_key, call.body)
    email = user.email
    call.after_commit.append(lambda: send_confirmation(email, token))
    return RegistrationRead(
        user_id=user.id,
        organization_id=user.organization_id,
        email=email,
        message="Check your email and follow the link to confirm your address.",
    )


@api.endpoint_route("/email-confirmations", "POST", public=True, body=EmailConfirmation)
def confirm_email(call: Call) -> dict[str, str]:
    """Confirm an email address with the single-use token from the confirmation email."""
    user = service.confirm_email(call.session, platform.current().clock.now(), call.body.token)
    return {"email": user.email, "status": "confirmed"}


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
    api_key, key = service.create_api_key(call.session, call.actor, call.body)
    call.session.refresh(api_key)
    return ApiKeyCreated.model_validate(
        {**ApiKeyRead.model_validate(api_key, from_attributes=True).model_dump(), "key": key}
    )


@api.endpoint_route("/api-keys", "GET", module=Module.API_KEYS, permission=Permission.READ)
def list_api_keys(call: Call) -> list[dict[str, object]]:
    """List the organization's API keys (never their secrets)."""
    keys = service.list_api_keys(call.session, call.actor)
    return [ApiKeyRead.model_validate(key, from_attributes=True).model_dump(mode="json") for key in keys]
