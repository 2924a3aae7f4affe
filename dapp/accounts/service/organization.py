"""The organization's own record (R-ACC-9): shown to members, name and address edited by admins."""

from datetime import datetime

from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.accounts.errors import OrganizationNameTaken
from dapp.accounts.schemas import OrganizationUpdate
from dapp.accounts.service.registration import require_free_organization_name
from dapp.audit import service as audit
from dapp.db import flush_or_raise
from dapp.models.accounts import Organization


def get_organization(session: Session, actor: Actor) -> Organization:
    return session.get_one(Organization, actor.organization_id)


def update_organization(session: Session, actor: Actor, now: datetime, data: OrganizationUpdate) -> Organization:
    """Change the name and/or address; the name stays unique whatever its case."""
    organization = get_organization(session, actor)
    if data.name is not None:
        require_free_organization_name(session, data.name, exclude=organization, field="name")
    before = {"name": organization.name, "address": organization.address}
    organization.name = data.name if data.name is not None else organization.name
    organization.address = data.address if data.address is not None else organization.address
    flush_or_raise(session, OrganizationNameTaken("An organization with this name already exists."))
    old, new = audit.changes(before, {"name": organization.name, "address": organization.address})
    if new:
        audit.record(session, actor, "organization.update", "organization", organization.id, old, new, now=now)
    return organization
