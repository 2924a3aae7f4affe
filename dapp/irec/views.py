"""Pages of I-REC conversion: a developer's device groups and their registration; the platform's registry queue."""

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import Response as FlaskResponse
from werkzeug.wrappers import Response

from dapp import platform
from dapp.access.permissions import Actor, Module, Permission, PlatformAdmin, require
from dapp.errors import field_error
from dapp.irec.errors import RedemptionNotRedeemed
from dapp.irec.presenters import conversion_read, provisional_read, request_read
from dapp.irec.schemas import RedemptionCreate
from dapp.irec.service import conversion, groups, redemption, registration, release, statement, status
from dapp.issuance import statement as signed_statement
from dapp.issuance.service import listing
from dapp.web.pages import Failed, PageCall, admin_page, attempt, clean_form, page, parse_form

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
    redemptions = status.redemptions(call.session)
    return render_template(
        "irec/admin_requests.html", requests=items, certificates=provisional, redemptions=redemptions
    )


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


@bp.route("/irec/certificates/<uuid:certificate_id>/redemption", methods=["GET", "POST"])
@page(Module.CERTIFICATES, Permission.READ)
def redeem_certificate(call: PageCall[Actor], certificate_id: uuid.UUID) -> tuple[str, int] | Response:
    """The buyer's choice to redeem an issued certificate as I-REC (R-IREC-3), with the beneficiary and period."""
    certificate = listing.certificate_read(
        call.session, listing.buyer_certificate(call.session, call.actor, certificate_id), call.actor
    )
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    code = 200
    if request.method == "POST":
        require(call.actor, Module.CERTIFICATES, Permission.WRITE)
        values, now = clean_form(), platform.current().clock.now()
        asked = attempt(
            call.session,
            lambda: redemption.request_redemption(
                call.session, call.actor, now, certificate_id, parse_form(RedemptionCreate, values)
            ),
        )
        if not isinstance(asked, Failed):
            flash("Redemption requested: the I-REC registry redeems the serials within a minute.", "success")
            return redirect(url_for("irec.redemption_statement", redemption_id=asked.id))
        errors, code = asked.field_errors, asked.status
    return render_template("irec/redeem.html", certificate=certificate, values=values, errors=errors), code


@bp.get("/irec/redemptions/<uuid:redemption_id>")
@page(Module.CERTIFICATES, Permission.READ)
def redemption_statement(call: PageCall[Actor], redemption_id: uuid.UUID) -> str:
    found = _view(call, call.actor.organization_id, redemption_id)
    return render_template("irec/statement.html", found=found, pdf=True)


@bp.get("/irec/redemptions/<uuid:redemption_id>/statement.pdf")
@page(Module.CERTIFICATES, Permission.READ)
def redemption_statement_pdf(call: PageCall[Actor], redemption_id: uuid.UUID) -> FlaskResponse:
    found = _view(call, call.actor.organization_id, redemption_id)
    if found.statement is None:
        raise RedemptionNotRedeemed("The registry has not redeemed this certificate yet; the statement follows.")
    return FlaskResponse(
        signed_statement.pdf(found.statement),
        content_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=irec-redemption-{redemption_id}.pdf"},
    )


@bp.get("/admin/irec/redemptions/<uuid:redemption_id>")
@admin_page
def any_redemption_statement(call: PageCall[PlatformAdmin], redemption_id: uuid.UUID) -> str:
    return render_template("irec/statement.html", found=_view(call, None, redemption_id), pdf=False)


def _view(
    call: PageCall[Actor] | PageCall[PlatformAdmin], organization_id: uuid.UUID | None, redemption_id: uuid.UUID
) -> statement.RedemptionView:
    settings = platform.current().settings
    return statement.view(
        call.session, organization_id, redemption_id, settings.base_url, settings.platform_private_key
    )
