"""Projects (R-DEV-8): a developer's groups of devices, with an impact story, SDGs and images kept by CID."""

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.audit import service as audit
from dapp.db import flush_or_raise
from dapp.devices import images, rules
from dapp.devices.errors import (
    ImageNotFound,
    ProjectNameTaken,
    ProjectNotFound,
    TooManyImages,
)
from dapp.devices.schemas import ProjectCreate, ProjectUpdate
from dapp.errors import Conflict
from dapp.ipfs import ContentStore
from dapp.models.devices import Device, Project

MAX_IMAGES = 10


def create(session: Session, actor: Actor, now: datetime, data: ProjectCreate) -> Project:
    values = data.model_dump()
    rules.raise_if_any(rules.sdg_problems(values))
    _require_free_name(session, actor, data.name)
    project = Project(organization_id=actor.organization_id, created_at=now, **values)
    session.add(project)
    flush_or_raise(session, _name_taken(data.name))
    audit.record(session, actor, "project.create", "project", project.id, after=values, now=now)
    _link_named_devices(session, actor, project)
    return project


def _link_named_devices(session: Session, actor: Actor, project: Project) -> None:
    """Devices of the organization that name the new project (and belong to none) become its devices."""
    session.execute(
        update(Device)
        .where(
            Device.organization_id == actor.organization_id,
            Device.project_id.is_(None),
            func.lower(Device.project_name) == project.name.lower(),
        )
        .values(project_id=project.id)
    )


def names_without_project(session: Session, actor: Actor) -> list[tuple[str, int]]:
    """Project names the organization's devices carry without belonging to a project, with their device counts."""
    rows = session.execute(
        select(func.min(Device.project_name), func.count())
        .where(
            Device.organization_id == actor.organization_id,
            Device.project_id.is_(None),
            Device.project_name.is_not(None),
        )
        .group_by(func.lower(Device.project_name))
        .order_by(func.lower(Device.project_name))
    )
    return [(name, count) for name, count in rows.tuples() if name is not None]


def update_project(
    session: Session, actor: Actor, now: datetime, project_id: uuid.UUID, data: ProjectUpdate
) -> Project:
    project = get(session, actor, project_id)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise rules.invalid("name", "required", "A project needs a name.")
    rules.raise_if_any(rules.sdg_problems(changes) if "sdg_benefits" in changes else [])
    if changes.get("sdg_benefits") is None and "sdg_benefits" in changes:
        changes["sdg_benefits"] = []
    if "name" in changes and changes["name"].lower() != project.name.lower():
        _require_free_name(session, actor, changes["name"])
    before = {field: getattr(project, field) for field in changes}
    for field, value in changes.items():
        setattr(project, field, value)
    flush_or_raise(session, _name_taken(project.name))
    audit.record(session, actor, "project.update", "project", project.id, *audit.changes(before, changes), now=now)
    return project


def delete_project(session: Session, actor: Actor, now: datetime, project_id: uuid.UUID) -> None:
    """Delete a project; its devices stay, without a project."""
    project = get(session, actor, project_id)
    session.execute(update(Device).where(Device.project_id == project.id).values(project_id=None))
    session.delete(project)
    session.flush()
    audit.record(session, actor, "project.delete", "project", project.id, before={"name": project.name}, now=now)


def add_image(
    session: Session, actor: Actor, now: datetime, store: ContentStore, project_id: uuid.UUID, data: bytes
) -> str:
    """Keep an image (PNG, JPEG, GIF or WebP, at most 5 MB) in the content store, as Pillow writes it again;
    returns its CID."""
    project = get(session, actor, project_id)
    image = images.reencoded(data)
    if len(project.image_cids) >= MAX_IMAGES:
        raise TooManyImages(f"A project has at most {MAX_IMAGES} images; remove one first.")
    cid = store.add(image)
    if cid not in project.image_cids:
        project.image_cids = [*project.image_cids, cid]
        audit.record(session, actor, "project.add_image", "project", project.id, after={"cid": cid}, now=now)
    return cid


def remove_image(session: Session, actor: Actor, now: datetime, project_id: uuid.UUID, cid: str) -> None:
    project = get(session, actor, project_id)
    if cid not in project.image_cids:
        raise ImageNotFound("This project has no such image.")
    project.image_cids = [c for c in project.image_cids if c != cid]
    audit.record(session, actor, "project.remove_image", "project", project.id, before={"cid": cid}, now=now)


def get(session: Session, actor: Actor, project_id: uuid.UUID) -> Project:
    project = session.scalar(
        select(Project).where(Project.id == project_id, Project.organization_id == actor.organization_id)
    )
    if project is None:
        raise ProjectNotFound("Your organization has no such project.")
    return project


def find(session: Session, project_id: uuid.UUID) -> Project | None:
    """A project by id, whatever its organization: project information is shown to buyers (R-DEV-8)."""
    return session.get(Project, project_id)


def devices_of(session: Session, project: Project) -> list[Device]:
    """The project's devices (always of the project's organization), by external id."""
    return list(
        session.scalars(
            select(Device)
            .where(Device.project_id == project.id, Device.organization_id == project.organization_id)
            .order_by(Device.external_id)
        )
    )


def list_projects(session: Session, actor: Actor) -> list[tuple[Project, int]]:
    """The organization's projects by name, each with its number of devices."""
    devices = (
        select(Device.project_id, func.count().label("devices"))
        .where(Device.organization_id == actor.organization_id)
        .group_by(Device.project_id)
        .subquery()
    )
    rows = session.execute(
        select(Project, func.coalesce(devices.c.devices, 0))
        .outerjoin(devices, devices.c.project_id == Project.id)
        .where(Project.organization_id == actor.organization_id)
        .order_by(func.lower(Project.name))
    )
    return [(project, count) for project, count in rows.tuples()]


def _require_free_name(session: Session, actor: Actor, name: str) -> None:
    taken = session.scalar(
        select(Project.id).where(
            Project.organization_id == actor.organization_id, func.lower(Project.name) == name.lower()
        )
    )
    if taken:
        raise _name_taken(name)


def _name_taken(name: str) -> Conflict:
    return ProjectNameTaken(
        f"Your organization already has a project named '{name}'.",
        errors=[{"field": "name", "code": "taken", "message": "already used"}],
    )
