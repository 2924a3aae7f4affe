"""Pages of I-REC conversion: a developer's device groups and their registration; the platform's registry queue."""

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.access.permissions import Actor, Module, Permission, PlatformAdmin
from dapp.errors import field_error
from dapp.irec.presenters import conversion_read, provisional_read, request_read
from dapp.irec.service import conversion, groups, registration, release, status
from dapp.web.pages import Failed, PageCall, admin_page, attempt, page

bp = Blueprint("irec", __name__)


@bp.get("/irec/device-groups")
@page(Module.DEVICES, Permission.READ)
def device_groups(call: PageCall[Actor]) -> str:
    views = groups.list_groups(call.session, call.actor.organization_id, platform.current().clock.now())
    return render_template("irec/groups.html", groups=views)


@bp.post("/irec/device-groups")
@page(Module.DEVICES, Permission.UPDATE)
def regroup(call: PageCall[Actor]) -> Response:
    name = request.form.get("name", "").strip()
    device_ids = [uuid.UUID(value) for value in request.form.getlist("device_ids") if _is_uuid(value)]

    def move() -> object:
        if not name or not device_ids:
            raise field_error("name", "Name the group and tick at least one device.")
        return groups.regroup(call.session, call.actor, platform.current().clock.now(), name, device_ids)

    if not isinstance(attempt(call.session, move), Failed):
        flash(f"{len(device_ids)} device(s) moved to {name}.", "success")
    return redirect(url_for("irec.device_groups"))


@bp.get("/admin/irec/device-groups")
@admin_page
def registry_queue(call: PageCall[PlatformAdmin]) -> str:
    return render_template(
        "irec/admin_groups.html", groups=groups.list_groups(call.session, None, platform.current().clock.now())
    )


@bp.post("/admin/irec/device-groups/<uuid:group_id>/submit")
@admin_page
def submit_group(call: PageCall[PlatformAdmin], group_id: uuid.UUID) -> Response:
    group = attempt(
        call.session, lambda: registration.submit(call.session, call.actor, platform.current().clock.now(), group_id)
    )
    if not isinstance(group, Failed):
        flash(f"{group.name} is submitted to the I-REC registry.", "success")
    return redirect(url_for("irec.registry_queue"))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@bp.get("/irec/reservations/<uuid:reservation_id>/conversion")
@page(Module.RESERVATIONS, Permission.READ)
def reservation_conversion(call: PageCall[Actor], reservation_id: uuid.UUID) -> str:
    now = platform.current().clock.now()
    conversion = status.reservation_conversion(call.session, call.actor, now, reservation_id)
    return render_template("irec/conversion.html", conversion=conversion_read(reservation_id, conversion))


@bp.get("/admin/irec/issue-requests")
@admin_page
def issue_requests(call: PageCall[PlatformAdmin]) -> str:
    items = [request_read(r, g) for r, g in status.issue_requests(call.session)]
    provisional = [provisional_read(row) for row in status.provisional_certificates(call.session)]
    return render_template("irec/admin_requests.html", requests=items, certificates=provisional)


@bp.post("/admin/irec/issue-requests/<uuid:request_id>/retry")
@admin_page
def retry_issue_request(call: PageCall[PlatformAdmin], request_id: uuid.UUID) -> Response:
    now = platform.current().clock.now()
    request_row = attempt(call.session, lambda: conversion.retry(call.session, call.actor, now, request_id))
    if not isinstance(request_row, Failed):
        flash("The issue request will be sent to the registry again.", "success")
    return redirect(url_for("irec.issue_requests"))


@bp.post("/admin/irec/certificates/<uuid:certificate_id>/release")
@admin_page
def release_certificate(call: PageCall[PlatformAdmin], certificate_id: uuid.UUID) -> Response:
    p = platform.current()
    state = attempt(
        call.session, lambda: release.release(call.session, call.actor, p.content, p.clock.now(), certificate_id)
    )
    if not isinstance(state, Failed):
        flash(f"{state.released_wh} Wh will go to the buyer as D-REC.", "success")
    return redirect(url_for("irec.issue_requests"))
