"""Public verification pages (no sign-in), reachable from the QR code of a retirement statement."""

from flask import Blueprint, render_template

from dapp import platform
from dapp.chain import contracts
from dapp.verify import service

bp = Blueprint("verify", __name__)


@bp.get("/verify/certificates/<reference>")
def certificate(reference: str) -> str:
    p = platform.current()
    with p.db.unit_of_work() as session:
        report = service.verify(session, contracts.from_settings(p.settings), p.content, reference)
    return render_template("verify/certificate.html", report=report)
