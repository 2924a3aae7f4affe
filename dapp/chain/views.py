"""Pages of the chain: the developer's gas-fee statement."""

from flask import Blueprint, render_template

from dapp.accounts.permissions import Module, Permission
from dapp.chain.gas import gas_statement
from dapp.web.pages import PageCall, page

bp = Blueprint("chain", __name__)


@bp.get("/gas-fees")
@page(Module.CERTIFICATES, Permission.READ)
def gas_fees(call: PageCall) -> str:
    charges = gas_statement(call.session, call.actor.organization_id)
    return render_template("chain/gas_fees.html", charges=charges, total=sum(c.gas for c in charges))
