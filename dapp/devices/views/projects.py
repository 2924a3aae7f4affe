"""Project pages (R-DEV-8): the organization's projects, one project with its images and devices."""

import uuid

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from dapp import platform
from dapp.accounts.permissions import Module, Permission
from dapp.devices import catalog, projects
from dapp.devices.schemas import ProjectCreate, ProjectUpdate
from dapp.devices.views.blueprint import bp, now
from dapp.errors import DomainError, NotFound, field_error
from dapp.web.pages import PageCall, form_errors, page, parse_form


@bp.get("/projects")
@page(Module.DEVICES, Permission.READ)
def list_projects(call: PageCall) -> str:
    return _list(call, {}, {})


@bp.post("/projects")
@page(Module.DEVICES, Permission.WRITE)
def create_project(call: PageCall) -> tuple[str, int] | BaseResponse:
    values = _submitted()
    try:
        with call.session.begin_nested():
            project = projects.create(call.session, call.actor, now(), parse_form(ProjectCreate, values))
    except DomainError as error:
        flash(error.detail, "error")
        return _list(call, values, form_errors(error)), error.status
    flash(f"Project {project.name} created.", "success")
    return redirect(url_for("devices.project", project_id=project.id))


@bp.get("/projects/<uuid:project_id>")
@page(Module.DEVICES, Permission.READ)
def project(call: PageCall, project_id: uuid.UUID) -> str:
    found = projects.get(call.session, call.actor, project_id)
    values: dict[str, object] = {
        "name": found.name,
        "impact_story": found.impact_story or "",
        "sdg_benefits": found.sdg_benefits,
    }
    return _detail(call, found.id, values, {})


@bp.post("/projects/<uuid:project_id>")
@page(Module.DEVICES, Permission.UPDATE)
def update_project(call: PageCall, project_id: uuid.UUID) -> tuple[str, int] | BaseResponse:
    values = _submitted()
    try:
        with call.session.begin_nested():
            changes = {**values, "impact_story": values.get("impact_story") or None}
            projects.update_project(call.session, call.actor, now(), project_id, parse_form(ProjectUpdate, changes))
    except DomainError as error:
        flash(error.detail, "error")
        return _detail(call, project_id, values, form_errors(error)), error.status
    flash("Project saved.", "success")
    return redirect(url_for("devices.project", project_id=project_id))


@bp.post("/projects/<uuid:project_id>/images")
@page(Module.DEVICES, Permission.UPDATE)
def add_project_image(call: PageCall, project_id: uuid.UUID) -> BaseResponse:
    sent = request.files.get("image")
    try:
        if sent is None or not sent.filename:
            raise field_error("image", "Choose an image to add.", "file_missing")
        with call.session.begin_nested():
            projects.add_image(call.session, call.actor, now(), platform.current().content, project_id, sent.read())
    except DomainError as error:
        flash(error.detail, "error")
    return redirect(url_for("devices.project", project_id=project_id))


@bp.post("/projects/<uuid:project_id>/images/<cid>/delete")
@page(Module.DEVICES, Permission.UPDATE)
def remove_project_image(call: PageCall, project_id: uuid.UUID, cid: str) -> BaseResponse:
    projects.remove_image(call.session, call.actor, now(), project_id, cid)
    flash("Image removed.", "success")
    return redirect(url_for("devices.project", project_id=project_id))


@bp.get("/projects/<uuid:project_id>/images/<cid>")
@page(Module.DEVICES, Permission.READ)
def project_image(call: PageCall, project_id: uuid.UUID, cid: str) -> Response:
    """A project's image by CID; projects are shown to buyers too (R-DEV-8), so any organization may read it."""
    found = projects.find(call.session, project_id)
    if found is None or cid not in found.image_cids:
        raise NotFound("This project has no such image.", code="image_not_found")
    data = platform.current().content.get(cid)
    return Response(data, mimetype=projects.image_type(data), headers={"Cache-Control": "private, max-age=86400"})


def _submitted() -> dict[str, object]:
    values: dict[str, object] = {k: request.form.get(k, "").strip() for k in ("name", "impact_story")}
    values["sdg_benefits"] = request.form.getlist("sdg_benefits")
    return {k: v for k, v in values.items() if v != ""}


def _list(call: PageCall, values: dict[str, object], errors: dict[str, str]) -> str:
    return render_template(
        "devices/projects.html",
        projects=projects.list_projects(call.session, call.actor),
        values=values,
        errors=errors,
        sdgs=catalog.SDGS,
        can_create=call.actor.can(Module.DEVICES, Permission.WRITE),
    )


def _detail(call: PageCall, project_id: uuid.UUID, values: dict[str, object], errors: dict[str, str]) -> str:
    found = projects.get(call.session, call.actor, project_id)
    return render_template(
        "devices/project.html",
        project=found,
        devices=projects.devices_of(call.session, found),
        values=values,
        errors=errors,
        sdgs=catalog.SDGS,
        can_edit=call.actor.can(Module.DEVICES, Permission.UPDATE),
    )
