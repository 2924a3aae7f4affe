"""Organizations, members, API keys and signed-in clients, made through the account services."""

from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from dapp import platform
from dapp.access.auth import actor_for_user
from dapp.access.permissions import Actor
from dapp.accounts.schemas import ApiKeyCreate, InvitationAcceptance, InvitationCreate, RegistrationCreate
from dapp.accounts.service import api_keys, invitations, registration
from dapp.accounts.tokens import CONFIRMATION_TTL, issue_email_token
from dapp.admin.schemas import PlatformAdminCreate
from dapp.admin.service.accounts import create_platform_admin
from dapp.models.accounts import OrganizationType, TokenPurpose, User
from tests.support.journeys import Member, csrf_token, sign_in

PASSWORD = "correct horse battery staple"
EVERYTHING = ["READ", "WRITE", "UPDATE", "DELETE"]


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
        user = registration.register(
            session,
            p.clock.now(),
            p.redis,
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
        assert user is not None, f"{email} is registered already"
        token = issue_email_token(session, p.clock.now(), user, TokenPurpose.CONFIRM_EMAIL, CONFIRMATION_TTL)
        registration.confirm_email(session, p.clock.now(), token)
        actor = actor_for_user(session, user.id)
        assert isinstance(actor, Actor)
        granted = permissions if permissions is not None else {module: EVERYTHING for module in actor.permissions}
        _, key = api_keys.create_api_key(
            session, actor, ApiKeyCreate(name="test key", permissions=granted), p.clock.now()
        )
    return Org(actor, key, email)


def make_member(org: Org, email: str, permissions: dict[str, list[str]] | None = None) -> Actor:
    """A member invited by the org's admin with `permissions` (None: read-only) who accepted."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        invitation = invitations.invite(
            session,
            org.actor,
            p.clock.now(),
            InvitationCreate(first_name="Mem", last_name="Ber", email=email, permissions=permissions),
        )
        token = invitations.issue_link(invitation)  # what the invitation email would carry
        user = invitations.accept(
            session,
            p.clock.now(),
            InvitationAcceptance(token=token, password=PASSWORD, password_confirmation=PASSWORD),
        )
        actor = actor_for_user(session, user.id)
        assert isinstance(actor, Actor)
        return actor


def make_api_key(actor: Actor, permissions: dict[str, list[str]] | None, name: str = "machine") -> str:
    """The secret of a new key made by `actor` (a person) with `permissions` (None: read-only)."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        _, key = api_keys.create_api_key(
            session, actor, ApiKeyCreate(name=name, permissions=permissions), p.clock.now()
        )
    return key


def make_platform_admin(email: str = "operator@platform.example") -> User:
    p = platform.current()
    with p.db.unit_of_work() as session:
        return create_platform_admin(
            session,
            p.clock.now(),
            PlatformAdminCreate(email=email, first_name="Plat", last_name="Form", password=PASSWORD),
        )


def signed_in(app: Flask, email: str, password: str = PASSWORD) -> Member:
    """A test client signed in as `email`, with the page's CSRF token for API calls."""
    client = app.test_client()
    response = sign_in(client, email, password)
    assert response.status_code == 302, response.get_data(as_text=True)
    return Member(client, email, csrf_token(client, "/account"))


def user_by_email(email: str) -> User:
    with platform.current().db.unit_of_work() as session:
        return session.scalars(select(User).where(func.lower(User.email) == email.lower())).one()


def bearer(key: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {key}"}
