"""A "public" network by URL and chain id (R-CHAIN-3, ADR 0116, 0118): a second anvil with a chain id of its own
stands for Volta, EWC or Polygon. The contracts are deployed to it with Ape from the deployer's keystore, the
platform signs from its own keystore (no plain key anywhere), and certificates are minted through it. A node
that is another chain than the configured one is refused at start, by the processes and by the deployer."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from eth_account import Account

from dapp.chain import contracts, jobs, keystore
from dapp.settings import Settings
from scripts import devstack
from tests.factories.certificates import pending_certificates
from tests.support.chain import new_run, token, transactions

PUBLIC_CHAIN_ID = 424242
PASSPHRASE = "a passphrase for the public network"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PublicNetwork:
    rpc_url: str
    folder: Path
    deployer: str
    signer: str
    deploy: subprocess.CompletedProcess

    def env(self, **overrides: str) -> dict[str, str]:
        """A deployment's environment: the network by URL and chain id, both keys from keystores."""
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SOLCX_BINARY_PATH": str(devstack.SOLC_LAUNCHERS),
            "DREC_CHAIN_NETWORK": "custom",
            "DREC_CHAIN_RPC_URL": self.rpc_url,
            "DREC_CHAIN_ID": str(PUBLIC_CHAIN_ID),
            "DREC_CONFIRMATIONS": "0",
            "DREC_DEPLOYER_KEYSTORE": str(self.folder / "deployer.json"),
            "DREC_DEPLOYER_KEYSTORE_PASSPHRASE_FILE": str(self.folder / "passphrase"),
            "DREC_PLATFORM_KEYSTORE": str(self.folder / "platform.json"),
            "DREC_PLATFORM_KEYSTORE_PASSPHRASE_FILE": str(self.folder / "passphrase"),
            "DREC_DEPLOYMENT_FILE": str(self.folder / "deployment.json"),
            **overrides,
        }

    def settings(self, settings: Settings) -> Settings:
        """The platform's settings on this network (the test run's database and Redis)."""
        return Settings(
            _env_file=None,
            database_url=settings.database_url,
            redis_url=settings.redis_url,
            chain_network="custom",
            chain_rpc_url=self.rpc_url,
            chain_id=PUBLIC_CHAIN_ID,
            confirmations=0,
            platform_keystore=self.folder / "platform.json",
            platform_keystore_passphrase_file=self.folder / "passphrase",
            deployment_file=self.folder / "deployment.json",
        )


def deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(devstack.BIN / "ape"), "run", "deploy"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def public_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PublicNetwork]:
    folder = tmp_path_factory.mktemp("public-network")
    rpc_url, stop = devstack.start_anvil(None, network_id=PUBLIC_CHAIN_ID, options=("--order", "fees"))
    try:
        (folder / "passphrase").write_text(PASSPHRASE + "\n")
        deployer, signer = Account.create(), Account.create()
        for name, account in (("deployer", deployer), ("platform", signer)):
            keystore.create(folder / f"{name}.json", PASSPHRASE, bytes(account.key))
            fund = {"jsonrpc": "2.0", "id": 1, "method": "anvil_setBalance", "params": [account.address, hex(10**20)]}
            requests.post(rpc_url, json=fund, timeout=10).raise_for_status()
        network = PublicNetwork(rpc_url, folder, deployer.address, signer.address, None)  # type: ignore[arg-type]
        result = deploy(network.env())
        yield PublicNetwork(rpc_url, folder, deployer.address, signer.address, result)
    finally:
        stop()


def test_the_contracts_are_deployed_by_url_and_chain_id_from_the_deployers_keystore(
    app, settings, public_network
) -> None:
    result = public_network.deploy
    assert result.returncode == 0, result.stdout + result.stderr
    assert PASSPHRASE not in result.stdout + result.stderr
    deployment = json.loads((public_network.folder / "deployment.json").read_text())
    assert deployment["chain_id"] == PUBLIC_CHAIN_ID
    chain = contracts.from_settings(public_network.settings(settings))
    assert chain.signer.address == public_network.signer
    certificates = chain.contract("DrecCertificates").functions
    admin_role, issuer_role = certificates.DEFAULT_ADMIN_ROLE().call(), certificates.ISSUER_ROLE().call()
    assert certificates.hasRole(admin_role, public_network.deployer).call()
    assert certificates.hasRole(issuer_role, public_network.signer).call()
    assert certificates.provisionalAccount().call() == public_network.signer
    log = chain.contract("ReservationLog").functions
    assert log.hasRole(log.LOGGER_ROLE().call(), public_network.signer).call()


def test_certificates_are_minted_through_the_public_network(app, settings, public_network) -> None:
    public = public_network.settings(settings)
    contracts.check_network(public)
    chain = contracts.from_settings(public)
    pending = pending_certificates(app, days=2)

    counts = jobs.submit_outbox(new_run(chain))
    assert (counts["logged"], counts["mint_entries"]) == (1, 2), counts
    for token_id, volume in zip(pending.token_ids, pending.volumes_wh, strict=True):
        assert token(chain).balanceOf(pending.wallet, token_id).call() == volume
    recorded = transactions()
    assert {t.sender for t in recorded} == {public_network.signer}
    assert all(t.raw_transaction[0] == 2 and t.max_fee_per_gas for t in recorded)  # EIP-1559, fees recorded


def test_a_node_of_another_chain_is_refused_at_start(app, settings, public_network) -> None:
    volta_at_the_wrong_url = Settings(_env_file=None, chain_network="volta", chain_rpc_url=public_network.rpc_url)
    with pytest.raises(contracts.WrongChain, match=f"is chain {PUBLIC_CHAIN_ID}, not chain 73799 of the volta"):
        contracts.check_network(volta_at_the_wrong_url)
    local_deployment = public_network.settings(settings).model_copy(
        update={"deployment_file": settings.deployment_file}
    )
    with pytest.raises(contracts.WrongChain, match=f"is for chain 31337, not chain {PUBLIC_CHAIN_ID}"):
        contracts.check_network(local_deployment)

    env = public_network.env(DREC_CHAIN_NETWORK="volta", DREC_CHAIN_ID="73799")
    scheduler = subprocess.run(
        [sys.executable, "-c", "from dapp.cli import main; main()", "scheduler"],
        env=env,
        cwd=public_network.folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert scheduler.returncode != 0
    assert f"refusing to start: the node at {public_network.rpc_url} is chain {PUBLIC_CHAIN_ID}" in scheduler.stderr
    deployer = deploy(env)
    assert deployer.returncode != 0
    assert f"is chain {PUBLIC_CHAIN_ID}, not chain 73799 of the volta network" in deployer.stdout + deployer.stderr
