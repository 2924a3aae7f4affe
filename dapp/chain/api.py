"""/api/v1 routes of the chain: the developer's gas-fee statement."""

from dapp.accounts.permissions import Module, Permission
from dapp.chain.gas import gas_statement
from dapp.web.api import ApiBlueprint, Call

api = ApiBlueprint("chain_api", __name__)


@api.endpoint_route("/gas-fees", "GET", module=Module.CERTIFICATES, permission=Permission.READ)
def gas_fees(call: Call) -> dict[str, object]:
    """Gas used by mint transactions, attributed to the organization by its Wh in each certificate."""
    charges = gas_statement(call.session, call.actor.organization_id)
    return {
        "total_gas": sum(c.gas for c in charges),
        "items": [
            {
                "tx_hash": c.tx_hash,
                "minted_at": c.minted_at.isoformat(),
                "certificate_id": str(c.certificate_id),
                "certificate_wh": c.certificate_wh,
                "own_wh": c.own_wh,
                "gas": c.gas,
            }
            for c in charges
        ],
    }
