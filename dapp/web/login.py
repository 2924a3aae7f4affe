"""Flask-Login: the signed-in user of a page request, loaded by id in its own short session.

The session stores `<user id>.<fingerprint of the password hash>`: changing or resetting the password ends
every other session of that user, and a disabled user or organization is signed out on the next request.
"""

import uuid
from dataclasses import dataclass

from flask import Flask
from flask_login import LoginManager, UserMixin
from sqlalchemy.orm import Session

from dapp import platform
from dapp.access.auth import may_sign_in, session_fingerprint
from dapp.models.accounts import Organization, User

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Sign in to continue."


@dataclass
class SessionUser(UserMixin):
    """What pages need to know about the signed-in person."""

    id: str
    first_name: str
    email: str
    organization_name: str
    organization_type: str
    is_org_admin: bool
    fingerprint: str = ""
    is_platform_admin: bool = False

    def get_id(self) -> str:
        return f"{self.id}.{self.fingerprint}"

    @property
    def id_uuid(self) -> uuid.UUID:
        return uuid.UUID(self.id)

    @property
    def landing_endpoint(self) -> str:
        if self.is_platform_admin:
            return "admin.dashboard"
        return "devices.list_devices" if self.organization_type == "developer" else "reservations.list_reservations"


@login_manager.user_loader
def load_user(session_id: str) -> SessionUser | None:
    user_id, _, fingerprint = session_id.partition(".")
    try:
        key = uuid.UUID(user_id)
    except ValueError:
        return None
    with platform.current().db.sessions() as session:
        user = session.get(User, key)
        if user is None or not may_sign_in(session, user):
            return None
        if fingerprint != session_fingerprint(user.password_hash):
            return None
        return session_user(session, user)


def session_user(session: Session, user: User) -> SessionUser:
    """The session identity of `user` (call after checking they may sign in)."""
    organization = session.get(Organization, user.organization_id) if user.organization_id else None
    return SessionUser(
        str(user.id),
        user.first_name,
        user.email,
        organization.name if organization else "Platform",
        organization.type if organization else "platform",
        user.is_org_admin,
        session_fingerprint(user.password_hash),
        user.is_platform_admin,
    )


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
