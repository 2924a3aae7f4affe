"""What an auditor needs to verify the registry without trusting it (R-REG-2): the chain id, the contracts'
addresses, the deployment block, the accounts allowed to write, the document gateway and how to run the
standalone verifier; as a page and as JSON at a well-known URL."""

from typing import Any

from flask import Blueprint, Response, jsonify, render_template

from dapp import platform
from dapp.access.permissions import Actor, PlatformAdmin
from dapp.chain import contracts
from dapp.web.pages import PageCall, public_page

bp = Blueprint("discovery", __name__)

WELL_KNOWN = "/.well-known/drec-registry.json"


def facts() -> dict[str, Any]:
    """The registry's public facts; each one the chain itself confirms or refutes (roles, addresses, code)."""
    p = platform.current()
    chain = contracts.from_settings(p.settings)
    deployment, base = chain.deployment, p.settings.base_url.rstrip("/")
    signer = chain.signer.address
    return {
        "chain_id": deployment["chain_id"],
        "contracts": {name: {"address": entry["address"]} for name, entry in deployment["contracts"].items()},
        "deployment_block": deployment["block_number"],
        "issuer_accounts": [signer],
        "logger_accounts": [signer],
        "gateway": base,
        "gateway_path": "/ipfs/{cid}",
        "register_api": f"{base}/api/v1/register",
        "verification_page": f"{base}/verify",
        "verifier": {
            "package": "drec_verifier (a directory of this repository; needs requests, eth-abi, eth-hash)",
            "command": f"python -m drec_verifier --rpc <your node's URL> --registry {base} all",
        },
    }


@bp.get(WELL_KNOWN)
@public_page
def well_known(_call: PageCall[Actor | PlatformAdmin | None]) -> Response:
    return jsonify(facts())


@bp.get("/verify/how")
@public_page
def how_to_verify(_call: PageCall[Actor | PlatformAdmin | None]) -> str:
    return render_template("verify/how.html", facts=facts(), well_known=WELL_KNOWN)
