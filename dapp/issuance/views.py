"""Pages of issuance: the buyer's certificates."""

from flask import Blueprint, render_template

from dapp.accounts.permissions import Module, Permission
from dapp.issuance import service
from dapp.web.pages import PageCall, page

bp = Blueprint("issuance", __name__)


@bp.get("/certificates")
@page(Module.CERTIFICATES, Permission.READ)
def list_certificates(call: PageCall) -> str:
    return render_template("issuance/certificates.html", certificates=service.list_for(call.session, call.actor))
