"""Flask-Login: the signed-in user of a page request, loaded by id in its own short session."""

import uuid
from dataclasses import dataclass

from flask import Flask
from flask_login import LoginManager, UserMixin

from dapp import platform
from dapp.accounts.models import Organization, User

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

    def get_id(self) -> str:
        return self.id

    @property
    def id_uuid(self) -> uuid.UUID:
        return uuid.UUID(self.id)

    @property
    def landing_endpoint(self) -> str:
        return "devices.list_devices" if self.organization_type == "developer" else "reservations.list_reservations"


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    try:
        key = uuid.UUID(user_id)
    except ValueError:
        return None
    with platform.current().db.sessions() as session:
        user = session.get(User, key)
        if user is None or user.is_disabled or user.organization_id is None:
            return None
        organization = session.get_one(Organization, user.organization_id)
        return SessionUser(
            str(user.id), user.first_name, user.email, organization.name, organization.type, user.is_org_admin
        )


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
