"""Project pages (R-DEV-8): the organization's projects, one project with its images and devices."""

import uuid

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as BaseResponse

from dapp import codes, platform
from dapp.access.permissions import Actor, Module, Permission, Person
from dapp.devices import images
from dapp.devices.errors import ImageNotFound
from dapp.devices.schemas import ProjectCreate, ProjectUpdate
from dapp.devices.service import projects
from dapp.devices.views.blueprint import bp, now
from dapp.errors import field_error
from dapp.web.pages import Failed, PageCall, account_page, attempt, page, parse_form

# An uploaded image is served as content that may run nothing, whatever a browser would make of it.
USER_CONTENT_HEADERS = {
    "Cache-Control": "private, max-age=86400",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


@bp.get("/projects")
@page(Module.DEVICES, Permission.READ)
def list_projects(call: PageCall[Actor]) -> str:
    return _list(call, {}, {})


@bp.post("/projects")
@page(Module.DEVICES, Permission.WRITE)
def create_project(call: PageCall[Actor]) -> tuple[str, int] | BaseResponse:
    values = _submitted()
    project = attempt(
        call.session, lambda: projects.create(call.session, call.actor, now(), parse_form(ProjectCreate, values))
    )
    if isinstance(project, Failed):
        return _list(call, values, project.field_errors), project.status
    flash(f"Project {project.name} created.", "success")
    return redirect(url_for("devices.project", project_id=project.id))


@bp.get("/projects/<uuid:project_id>")
@page(Module.DEVICES, Permission.READ)
def project(call: PageCall[Actor], project_id: uuid.UUID) -> str:
    found = projects.get(call.session, call.actor, project_id)
    values: dict[str, object] = {
        "name": found.name,
        "impact_story": found.impact_story or "",
        "sdg_benefits": found.sdg_benefits,
    }
    return _detail(call, found.id, values, {})


@bp.post("/projects/<uuid:project_id>")
@page(Module.DEVICES, Permission.UPDATE)
def update_project(call: PageCall[Actor], project_id: uuid.UUID) -> tuple[str, int] | BaseResponse:
    values = _submitted()
    changes = {**values, "impact_story": values.get("impact_story") or None}
    updated = attempt(
        call.session,
        lambda: projects.update_project(
            call.session, call.actor, now(), project_id, parse_form(ProjectUpdate, changes)
        ),
    )
    if isinstance(updated, Failed):
        return _detail(call, project_id, values, updated.field_errors), updated.status
    flash("Project saved.", "success")
    return redirect(url_for("devices.project", project_id=project_id))


@bp.post("/projects/<uuid:project_id>/images")
@page(Module.DEVICES, Permission.UPDATE)
def add_project_image(call: PageCall[Actor], project_id: uuid.UUID) -> BaseResponse:
    attempt(call.session, lambda: _add_image(call, project_id, request.files.get("image")))
    return redirect(url_for("devices.project", project_id=project_id))


@bp.post("/projects/<uuid:project_id>/images/<cid>/delete")
@page(Module.DEVICES, Permission.UPDATE)
def remove_project_image(call: PageCall[Actor], project_id: uuid.UUID, cid: str) -> BaseResponse:
    projects.remove_image(call.session, call.actor, now(), project_id, cid)
    flash("Image removed.", "success")
    return redirect(url_for("devices.project", project_id=project_id))


@bp.get("/projects/<uuid:project_id>/images/<cid>")
@account_page
def project_image(call: PageCall[Person], project_id: uuid.UUID, cid: str) -> Response:
    """A project's image by CID; projects are shown to buyers too (R-DEV-8), so any signed-in person may read it
    (buyers hold no `devices` module, R-ACC-5, so the module's READ cannot be what admits them)."""
    found = projects.find(call.session, project_id)
    if found is None or cid not in found.image_cids:
        raise ImageNotFound("This project has no such image.")
    data = platform.current().content.get(cid)
    return Response(data, mimetype=images.media_type(data), headers=USER_CONTENT_HEADERS)


def _add_image(call: PageCall[Actor], project_id: uuid.UUID, sent: FileStorage | None) -> None:
    if sent is None or not sent.filename:
        raise field_error("image", "Choose an image to add.", "file_missing")
    projects.add_image(call.session, call.actor, now(), platform.current().content, project_id, sent.read())


def _submitted() -> dict[str, object]:
    values: dict[str, object] = {k: request.form.get(k, "").strip() for k in ("name", "impact_story")}
    values["sdg_benefits"] = request.form.getlist("sdg_benefits")
    return {k: v for k, v in values.items() if v != ""}


def _list(call: PageCall[Actor], values: dict[str, object], errors: dict[str, str]) -> str:
    return render_template(
        "devices/projects.html",
        projects=projects.list_projects(call.session, call.actor),
        unlinked=projects.names_without_project(call.session, call.actor),
        values=values,
        errors=errors,
        sdgs=codes.SDGS,
        can_create=call.actor.can(Module.DEVICES, Permission.WRITE),
    )


def _detail(call: PageCall[Actor], project_id: uuid.UUID, values: dict[str, object], errors: dict[str, str]) -> str:
    found = projects.get(call.session, call.actor, project_id)
    return render_template(
        "devices/project.html",
        project=found,
        devices=projects.devices_of(call.session, found),
        values=values,
        errors=errors,
        sdgs=codes.SDGS,
        can_edit=call.actor.can(Module.DEVICES, Permission.UPDATE),
    )
