"""Organizations with a confirmed admin and an API key, made through the account services."""

from dataclasses import dataclass

from dapp import platform
from dapp.accounts import service
from dapp.accounts.auth import actor_for_user
from dapp.accounts.models import OrganizationType
from dapp.accounts.permissions import Actor
from dapp.accounts.schemas import ApiKeyCreate, RegistrationCreate

PASSWORD = "correct horse battery staple"


@dataclass
class Org:
    actor: Actor
    api_key: str
    email: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


def make_org(
    name: str, kind: OrganizationType = OrganizationType.DEVELOPER, permissions: dict[str, list[str]] | None = None
) -> Org:
    """A confirmed organization admin and an API key (all permissions unless `permissions` narrows them)."""
    p = platform.current()
    email = f"admin@{name.lower().replace(' ', '-')}.example"
    with p.db.unit_of_work() as session:
        user, token = service.register(
            session,
            p.clock.now(),
            p.settings.secret_key,
            RegistrationCreate(
                first_name="Test",
                last_name="Admin",
                email=email,
                organization_type=kind,
                organization_name=name,
                organization_address="Somewhere 1",
                password=PASSWORD,
                password_confirmation=PASSWORD,
            ),
        )
        service.confirm_email(session, p.clock.now(), token)
        actor = actor_for_user(session, user.id)
        assert actor is not None
        granted = (
            permissions
            if permissions is not None
            else {module: ["READ", "WRITE", "UPDATE", "DELETE"] for module in actor.permissions}
        )
        _, key = service.create_api_key(session, actor, ApiKeyCreate(name="test key", permissions=granted))
    return Org(actor, key, email)
