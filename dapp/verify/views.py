"""Public verification pages (no sign-in), reachable from the QR code of a retirement statement."""

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.access.permissions import Actor, PlatformAdmin
from dapp.chain import contracts
from dapp.verify import register as registry
from dapp.verify import service
from dapp.verify.schemas import RegisterFilter
from dapp.web.pages import PageCall, public_page
from dapp.web.query import query_args

bp = Blueprint("verify", __name__)


@bp.get("/verify/certificates/<reference>")
@public_page
def certificate(call: PageCall[Actor | PlatformAdmin | None], reference: str) -> str:
    p = platform.current()
    report = service.verify_certificate(call.session, contracts.from_settings(p.settings), p.content, reference)
    return render_template("verify/certificate.html", report=report.as_json())


@bp.get("/verify/reservations/<reservation_id>")
@public_page
def reservation(call: PageCall[Actor | PlatformAdmin | None], reservation_id: str) -> str:
    p = platform.current()
    report = service.verify_reservation(call.session, contracts.from_settings(p.settings), p.content, reservation_id)
    return render_template("verify/reservation.html", report=report.as_json())


@bp.get("/public-register")
@public_page
def public_register(call: PageCall[Actor | PlatformAdmin | None]) -> str:
    """The public register: issued and retired certificates with totals by country and vintage."""
    filters = query_args(RegisterFilter)
    base_url = platform.current().settings.base_url
    listed = registry.listing(call.session, filters, base_url)
    return render_template(
        "verify/register.html", listed=listed, totals=registry.totals(call.session, filters), filters=filters
    )


@bp.get("/verify")
@public_page
def search(_call: PageCall[Actor | PlatformAdmin | None]) -> str | Response:
    """The search box: a token id, a certificate key or id goes to its certificate, a reservation id to its log."""
    reference = request.args.get("q", "").strip()
    if not reference:
        return render_template("verify/search.html")
    if request.args.get("kind") == "reservation":
        return redirect(url_for("verify.reservation", reservation_id=reference))
    return redirect(url_for("verify.certificate", reference=reference))
