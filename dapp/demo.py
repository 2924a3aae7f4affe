"""Demo data for the embedded stack (`drec demo seed`): a developer with a device, and a buyer.

Refused in production. Idempotent: an existing demo account is left as it is.
"""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp import platform
from dapp.access.auth import actor_for_user
from dapp.access.permissions import Actor
from dapp.accounts.schemas import RegistrationCreate
from dapp.accounts.service import registration
from dapp.devices.schemas import DeviceCreate
from dapp.devices.service import registry
from dapp.models.accounts import OrganizationType, User

PASSWORD = "solar-demo-2026"
DEVELOPER = ("developer@demo.drec", "Demo Solar Developer", OrganizationType.DEVELOPER)
BUYER = ("buyer@demo.drec", "Demo Certificate Buyer", OrganizationType.BUYER)


def seed() -> list[str]:
    """Create the demo accounts (and the developer's device); returns the login lines to print."""
    p = platform.current()
    if p.settings.is_production:
        raise RuntimeError("demo data is for development only")
    with p.db.unit_of_work() as session:
        developer = _account(session, *DEVELOPER)
        _account(session, *BUYER)
        actor = actor_for_user(session, developer.id)
        if isinstance(actor, Actor) and not registry.list_page(session, actor, 1, 1)[1]:
            registry.create(
                session,
                actor,
                p.clock.now(),
                DeviceCreate(
                    external_id="DEMO-SHS-001",
                    country_code="KEN",
                    commissioning_date=date(2025, 1, 15),
                    capacity_kw="5",
                    fuel_code="ES100",
                    device_type_code="TC120",
                    project_name="Demo solar homes",
                    off_taker="Residential",
                    latitude="-1.2921",
                    longitude="36.8219",
                ),
            )
    return login_lines()


def login_lines() -> list[str]:
    """How to sign in as the demo accounts."""
    return [f"{kind.value:9} {email} / {PASSWORD}" for email, _, kind in (DEVELOPER, BUYER)]


def _account(session: Session, email: str, organization: str, kind: OrganizationType) -> User:
    existing = session.scalar(select(User).where(func.lower(User.email) == email))
    if existing is not None:
        return existing
    p = platform.current()
    user = registration.register(
        session,
        p.clock.now(),
        p.redis,
        p.settings.secret_key,
        RegistrationCreate(
            first_name="Demo",
            last_name=kind.value.title(),
            email=email,
            organization_type=kind,
            organization_name=organization,
            organization_address="1 Demo Street, Nairobi",
            password=PASSWORD,
            password_confirmation=PASSWORD,
        ),
    )
    assert user is not None  # the address was free
    user.email_confirmed_at = p.clock.now()  # demo addresses receive no mail: they start confirmed
    return user
