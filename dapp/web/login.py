"""Flask-Login: the signed-in user of a page request, found by the session's token in its own short unit of work.

The cookie carries a random session token and nothing of the user; the session's life is its `user_session` row
(dapp.access.sessions). Ending that row (sign-out, sign out everywhere, a new password, disabling, anonymisation)
signs out every copy of the cookie at once, and a disabled user or organization is signed out on the next
request.
"""

import uuid
from dataclasses import dataclass

from flask import Flask
from flask_login import LoginManager, UserMixin, current_user
from sqlalchemy.orm import Session

from dapp import platform
from dapp.access.auth import may_sign_in
from dapp.access.sessions import active_session
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
    session_token: str = ""
    is_platform_admin: bool = False

    def get_id(self) -> str:
        return self.session_token

    @property
    def id_uuid(self) -> uuid.UUID:
        return uuid.UUID(self.id)

    @property
    def landing_endpoint(self) -> str:
        if self.is_platform_admin:
            return "admin.dashboard"
        return "devices.list_devices" if self.organization_type == "developer" else "reservations.list_reservations"


@login_manager.user_loader
def load_user(session_token: str) -> SessionUser | None:
    p = platform.current()
    with p.db.unit_of_work() as session:
        row = active_session(session, session_token, p.clock.now())
        if row is None:
            return None
        user = session.get_one(User, row.user_id)
        if not may_sign_in(session, user):
            return None
        return session_user(session, user, session_token)


def session_user(session: Session, user: User, session_token: str) -> SessionUser:
    """The session identity of `user` (call after checking they may sign in)."""
    organization = session.get(Organization, user.organization_id) if user.organization_id else None
    return SessionUser(
        str(user.id),
        user.first_name,
        user.email,
        organization.name if organization else "Platform",
        organization.type if organization else "platform",
        user.is_org_admin,
        session_token,
        user.is_platform_admin,
    )


def current_session_token() -> str | None:
    """The token of the request's signed-in session, if any."""
    return current_user.get_id() if current_user.is_authenticated else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
