"""Public verification pages (no sign-in), reachable from the QR code of a retirement statement."""

from flask import Blueprint, render_template

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
    report = service.verify(call.session, contracts.from_settings(p.settings), p.content, reference)
    return render_template("verify/certificate.html", report=report)
