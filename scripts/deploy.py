"""Deploy the D-REC contracts to a running chain node: `ape run deploy`. The only deployer.

Reads its settings from the environment:

- `DREC_CHAIN_RPC_URL`: the node to deploy to; it must already be running (this script never starts one).
- `DREC_DEPLOYMENT_FILE`: where the addresses and ABIs the application reads are written (JSON).
- `DREC_PLATFORM_SIGNER_ADDRESS`: receives ISSUER_ROLE and LOGGER_ROLE and is the provisional account that
  holds I-REC certificates until the registry confirms them (default: anvil's account 1).
- `DREC_CERTIFICATE_URI`: the ERC-1155 metadata URI of DrecCertificates.

Contracts are deployed from anvil's test account 0, which becomes their admin. If the deployment file
already names contracts whose code is on this chain (same chain id, same compiled code), they are reused, so
running the script again changes nothing. See docs/adr/0003-embedded-dev-stack.md.

On any other network (`DREC_CHAIN_NETWORK` a preset or "custom", docs/public-chains.md, ADR 0116) the script reads
the platform's settings (`.env` included): the node's chain id must be `DREC_CHAIN_ID`, the deployer is the
keystore `DREC_DEPLOYER_KEYSTORE` (passphrase from `DREC_DEPLOYER_KEYSTORE_PASSPHRASE_FILE` or asked), the
platform signer is the account of `DREC_PLATFORM_KEYSTORE`, every transaction offers EIP-1559 fees under the
ceiling and waits for the network's confirmations.
"""

import json
import os
from pathlib import Path
from typing import Any

import click
import requests
from ape import accounts, networks, project
from ape_accounts.accounts import KeyfileAccount

from dapp.chain import keystore
from dapp.chain.contracts import Chain
from dapp.chain.fees import FeeAboveCeiling, FeeCeiling
from dapp.settings import Settings

NETWORK = "ethereum:local:foundry"
DEFAULT_RPC_URL = "http://127.0.0.1:8545"
DEFAULT_SIGNER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil default account 1
DEFAULT_CERTIFICATE_URI = "http://127.0.0.1:5000/api/v1/certificates/{id}"
ROLES = {"DrecCertificates": "ISSUER_ROLE", "ReservationLog": "LOGGER_ROLE"}


def node_chain_id(rpc_url: str) -> int:
    """Ask the node for its chain id; fail clearly when nothing answers (we never start a node here)."""
    payload = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
    try:
        response = requests.post(rpc_url, json=payload, timeout=5)
        return int(response.json()["result"], 16)
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise click.ClickException(f"no chain node answers at {rpc_url} ({exc}); start it first") from exc


def load_deployment(path: Path) -> dict[str, Any] | None:
    """The previous deployment recorded at `path`, if any."""
    if not path.is_file():
        return None
    deployment: dict[str, Any] = json.loads(path.read_text())
    return deployment


def is_live(deployment: dict[str, Any]) -> bool:
    """Whether `deployment` is on the connected chain with the compiled code at both addresses."""
    if deployment.get("chain_id") != networks.provider.chain_id:
        return False
    for name in ROLES:
        entry = deployment["contracts"].get(name, {})
        compiled = project.get_contract(name).contract_type.get_runtime_bytecode()
        if not entry.get("address") or bytes(networks.provider.get_code(entry["address"])) != compiled:
            return False
    return True


def deploy_or_reuse(path: Path, admin: Any, **txn: Any) -> dict[str, Any]:
    """The deployment recorded at `path` if it is live on this chain, else a new one from `admin`."""
    previous = load_deployment(path)
    if previous is not None and is_live(previous):
        click.echo(f"reusing contracts of {path} on chain {previous['chain_id']}")
        return previous
    deployment = deploy_contracts(admin, **txn)
    click.echo(f"deployed contracts at block {deployment['block_number']} on chain {deployment['chain_id']}")
    return deployment


def deploy_contracts(admin: Any, **txn: Any) -> dict[str, Any]:
    """Deploy both contracts from `admin` (`txn`: fees and confirmations); return the deployment record."""
    uri = os.environ.get("DREC_CERTIFICATE_URI", DEFAULT_CERTIFICATE_URI)
    certificates = admin.deploy(project.DrecCertificates, admin, uri, **txn)
    reservation_log = admin.deploy(project.ReservationLog, admin, **txn)
    deployed = {"DrecCertificates": certificates, "ReservationLog": reservation_log}
    return {
        "chain_id": networks.provider.chain_id,
        "block_number": networks.provider.get_receipt(certificates.txn_hash).block_number,
        "contracts": {
            name: {"address": contract.address, "abi": abi_json(name)} for name, contract in deployed.items()
        },
    }


def abi_json(name: str) -> list[dict[str, Any]]:
    """The compiled ABI of contract `name`, as plain JSON."""
    contract_type = project.get_contract(name).contract_type
    return [entry.model_dump(mode="json", by_alias=True) for entry in contract_type.abi]


def grant_platform_roles(deployment: dict[str, Any], admin: Any, signer: str, **txn: Any) -> None:
    """Give the platform signer each contract's writer role (skipped where it already holds it)."""
    for name, role_getter in ROLES.items():
        contract = project.get_contract(name).at(deployment["contracts"][name]["address"])
        role = getattr(contract, role_getter)()
        if not contract.hasRole(role, signer):
            contract.grantRole(role, signer, sender=admin, **txn)
            click.echo(f"granted {role_getter} on {name} to {signer}")


def set_provisional_account(deployment: dict[str, Any], admin: Any, account: str, **txn: Any) -> None:
    """Make `account` hold provisional (I-REC pending) certificates, unless it already does."""
    address = deployment["contracts"]["DrecCertificates"]["address"]
    contract = project.get_contract("DrecCertificates").at(address)
    if contract.provisionalAccount() != account:
        contract.setProvisionalAccount(account, sender=admin, **txn)
        click.echo(f"provisional account of DrecCertificates set to {account}")


def write_deployment(path: Path, deployment: dict[str, Any]) -> None:
    """Write the deployment record atomically (readers never see half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(json.dumps(deployment, indent=2) + "\n")
    partial.replace(path)


def deploy_public(settings: Settings) -> None:
    """Deploy (or reuse) the contracts on a public network, from the deployer's keystore (see the docstring)."""
    node = node_chain_id(settings.chain_rpc_url)
    if node != settings.chain_id:
        raise click.ClickException(
            f"the node at {settings.chain_rpc_url} is chain {node}, not chain {settings.chain_id} of the"
            f" {settings.chain_network} network: check DREC_CHAIN_RPC_URL and DREC_CHAIN_ID"
        )
    deployer, platform_keystore = settings.deployer_keystore, settings.platform_keystore
    if deployer is None or platform_keystore is None:
        missing = "DREC_DEPLOYER_KEYSTORE" if deployer is None else "DREC_PLATFORM_KEYSTORE"
        raise click.ClickException(
            f"set {missing} to deploy on the {settings.chain_network} network (docs/public-chains.md)"
        )
    try:
        signer = keystore.address_of(platform_keystore)
        passphrase = keystore.read_passphrase(
            settings.deployer_keystore_passphrase_file,
            "the deployer's keystore",
            "DREC_DEPLOYER_KEYSTORE_PASSPHRASE_FILE",
        )
        keystore.unlock(deployer, passphrase)  # a wrong passphrase said plainly, before Ape asks
        fees = (
            Chain(settings.chain_rpc_url, settings.deployment_file, "", FeeCeiling.from_settings(settings))
            .fee_quote()
            .fees()
        )
    except (keystore.KeystoreError, FeeAboveCeiling) as error:
        raise click.ClickException(str(error)) from error
    offer = (
        {"gas_price": fees.max_fee} if fees.legacy else {"max_fee": fees.max_fee, "max_priority_fee": fees.priority_fee}
    )
    txn = {**offer, "required_confirmations": settings.confirmations}
    with networks.parse_network_choice(settings.chain_rpc_url):
        admin = KeyfileAccount(keyfile_path=deployer.resolve())
        admin.set_autosign(True, passphrase=passphrase)
        deployment = deploy_or_reuse(settings.deployment_file, admin, **txn)
        grant_platform_roles(deployment, admin, signer, **txn)
        set_provisional_account(deployment, admin, signer, **txn)
        write_deployment(settings.deployment_file, deployment)
    for name, entry in deployment["contracts"].items():
        click.echo(f"{name}: {entry['address']}")


@click.command()
def cli() -> None:
    """Deploy (or reuse) DrecCertificates and ReservationLog on the node at DREC_CHAIN_RPC_URL."""
    if os.environ.get("DREC_CHAIN_NETWORK", "local") != "local":
        deploy_public(Settings())
        return
    rpc_url = os.environ.get("DREC_CHAIN_RPC_URL", DEFAULT_RPC_URL)
    path = Path(os.environ.get("DREC_DEPLOYMENT_FILE", ".build/deployment.json"))
    signer = os.environ.get("DREC_PLATFORM_SIGNER_ADDRESS", DEFAULT_SIGNER)
    node_chain_id(rpc_url)
    # The foundry provider connects to the node at APE_FOUNDRY_HOST when one answers there (checked above),
    # instead of starting its own.
    os.environ["APE_FOUNDRY_HOST"] = rpc_url
    with networks.parse_network_choice(NETWORK):
        admin = accounts.test_accounts[0]
        deployment = deploy_or_reuse(path, admin)
        grant_platform_roles(deployment, admin, signer)
        set_provisional_account(deployment, admin, signer)
        write_deployment(path, deployment)
    for name, entry in deployment["contracts"].items():
        click.echo(f"{name}: {entry['address']}")
