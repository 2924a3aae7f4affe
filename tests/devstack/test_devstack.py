"""The embedded development stack: servers keep their data across restarts, deployment is idempotent."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
import requests
import sqlalchemy as sa
from eth_utils import keccak

from scripts import devstack

ADMIN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # anvil default account 0
PLATFORM_SIGNER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil default account 1
STANDARD_PORTS = {5432, 6379, 8545}


@contextmanager
def running(server: tuple[str, devstack.Stop]) -> Iterator[str]:
    """Yield a started server's URL; stop the server afterwards."""
    url, stop = server
    try:
        yield url
    finally:
        stop()


def rpc(url: str, method: str, *params: Any) -> Any:
    """Call a JSON-RPC method on the node at `url`."""
    reply = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=5)
    return reply.json()["result"]


def mined_block(url: str, tx: str) -> str:
    """The number of the block holding `tx` (anvil answers eth_sendTransaction before it mines the block)."""
    deadline = time.monotonic() + 5
    while (receipt := rpc(url, "eth_getTransactionReceipt", tx)) is None:
        assert time.monotonic() < deadline, f"{tx} not mined"
        time.sleep(0.02)
    return str(receipt["blockNumber"])


def has_role(url: str, contract: str, role: str, account: str) -> bool:
    """AccessControl.hasRole(keccak(role), account), called on `contract` at `url`."""
    data = keccak(text="hasRole(bytes32,address)")[:4] + keccak(text=role) + bytes(12) + bytes.fromhex(account[2:])
    return int(rpc(url, "eth_call", {"to": contract, "data": "0x" + data.hex()}, "latest"), 16) == 1


def test_anvil_restart_keeps_blocks_and_transactions(tmp_path: Path) -> None:
    state = tmp_path / "chain" / "state.json"
    with running(devstack.start_anvil(state)) as url:
        assert urlsplit(url).port not in STANDARD_PORTS
        assert int(rpc(url, "eth_chainId"), 16) == devstack.CHAIN_ID
        tx = rpc(url, "eth_sendTransaction", {"from": ADMIN, "to": PLATFORM_SIGNER, "value": hex(10**18)})
        block = mined_block(url, tx)
        assert rpc(url, "eth_blockNumber") == block
    with running(devstack.start_anvil(state)) as url:
        assert rpc(url, "eth_blockNumber") == block
        assert rpc(url, "eth_getTransactionByHash", tx)["blockNumber"] == block


def test_postgres_restart_keeps_tables(tmp_path: Path) -> None:
    with running(devstack.start_postgres(tmp_path / "pg")) as url:
        assert url.startswith("postgresql+psycopg://")
        assert url.split("?")[0].endswith("/drec")
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE kept (n int)"))
            conn.execute(sa.text("INSERT INTO kept VALUES (42)"))
        engine.dispose()
    with running(devstack.start_postgres(tmp_path / "pg")) as url:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT n FROM kept")).scalar_one() == 42
        engine.dispose()


def test_embedded_redis_restart_keeps_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    with running(devstack.start_redis(tmp_path)) as url:
        assert urlsplit(url).port not in STANDARD_PORTS
        with redis.Redis.from_url(url) as client:
            client.set("kept", "yes")
    with running(devstack.start_redis(tmp_path)) as url, redis.Redis.from_url(url) as client:
        assert client.get("kept") == b"yes"


def test_redis_url_from_the_environment_is_used_as_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://example.invalid:1/3")
    with running(devstack.start_redis(tmp_path)) as url:
        assert url == "redis://example.invalid:1/3"
    assert not (tmp_path / "redis").exists()


def test_deploy_twice_reuses_the_contracts(tmp_path: Path) -> None:
    deployment_file = tmp_path / "deployment.json"
    with running(devstack.start_anvil(None)) as url:
        first = devstack.deploy(url, deployment_file)
        head = rpc(url, "eth_blockNumber")
        second = devstack.deploy(url, deployment_file)
        assert rpc(url, "eth_blockNumber") == head  # nothing was sent the second time
    assert second == first
    assert first["chain_id"] == devstack.CHAIN_ID
    assert first["block_number"] >= 1
    assert {"issueBatch", "claim"} <= {entry.get("name") for entry in first["contracts"]["DrecCertificates"]["abi"]}


def test_deploy_grants_the_platform_signer_its_roles(tmp_path: Path) -> None:
    with running(devstack.start_anvil(None)) as url:
        contracts = devstack.deploy(url, tmp_path / "deployment.json")["contracts"]
        assert has_role(url, contracts["DrecCertificates"]["address"], "ISSUER_ROLE", PLATFORM_SIGNER)
        assert has_role(url, contracts["ReservationLog"]["address"], "LOGGER_ROLE", PLATFORM_SIGNER)
        assert not has_role(url, contracts["DrecCertificates"]["address"], "ISSUER_ROLE", ADMIN)


def test_deploy_redeploys_when_the_recorded_chain_was_reset(tmp_path: Path) -> None:
    deployment_file = tmp_path / "deployment.json"
    with running(devstack.start_anvil(None)) as url:
        devstack.deploy(url, deployment_file)
    with running(devstack.start_anvil(None)) as url:
        redeployed = devstack.deploy(url, deployment_file)
        for entry in redeployed["contracts"].values():
            assert rpc(url, "eth_getCode", entry["address"], "latest") != "0x"
