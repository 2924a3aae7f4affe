"""Public verification pages (no sign-in), reachable from the QR code of a retirement statement."""

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.access.permissions import Actor, PlatformAdmin
from dapp.chain import contracts
from dapp.verify import service
from dapp.web.pages import PageCall, public_page

bp = Blueprint("verify", __name__)


@bp.get("/verify/certificates/<reference>")
@public_page
def certificate(call: PageCall[Actor | PlatformAdmin | None], reference: str) -> str:
    p = platform.current()
    report = service.verify_certificate(call.session, contracts.from_settings(p.settings), p.content, reference)
    return render_template("verify/certificate.html", report=report.as_json())


@bp.get("/verify")
@public_page
def search(_call: PageCall[Actor | PlatformAdmin | None]) -> str | Response:
    """The search box: a token id, a certificate key or a certificate id goes to its verification."""
    reference = request.args.get("q", "").strip()
    if not reference:
        return render_template("verify/search.html")
    return redirect(url_for("verify.certificate", reference=reference))
