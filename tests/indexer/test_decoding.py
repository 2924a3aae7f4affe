"""The indexer's own log decoding gives exactly what web3's event decoding gives, for every event we emit."""

import secrets
from typing import Any

from dapp.chain.contracts import Chain
from indexer.decoding import Decoder
from tests.indexer import onchain


def web3_args(chain: Chain, name: str, log: Any) -> dict[str, Any]:
    """web3's decoding of `log`, in the indexer's JSON form (decimal strings, 0x hex, checksum addresses)."""

    def jsonable(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [jsonable(v) for v in value]
        if isinstance(value, bytes):
            return "0x" + value.hex()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    contract = chain.contract(name)
    for event in contract.events:
        if event.topic == log["topics"][0].to_0x_hex():
            return {k: jsonable(v) for k, v in event().process_log(log)["args"].items()}
    raise AssertionError(f"no event of {name} has topic {log['topics'][0].to_0x_hex()}")


def emit_every_event(chain: Chain) -> None:
    alice, bob = onchain.new_wallet(), onchain.new_wallet()
    first, second = onchain.issue(alice.address, 1_000, 2_000)
    onchain.transfer(alice, bob.address, first, 10)
    onchain.transfer_batch(alice, bob.address, {first: 20, second: 30})
    onchain.claim(bob, first, 5, b"\x00claim data\xff")
    onchain.revoke(second, "révoqué – reason with unicode")
    provisional = onchain.issue_provisional(bob.address, 700)
    onchain.confirm_irec(provisional, "S-1", "S-700")
    released = onchain.issue_provisional(bob.address, 300)
    onchain.release_provisional(released, 300)
    log = chain.contract("ReservationLog").functions
    reservation = secrets.token_bytes(16)
    chain.transact(log.logCreated(reservation, bob.address, 1, 2, "monthly", 2**200, True, bytes(32), "bafy"))
    chain.transact(log.logDevicesChanged(reservation, secrets.token_bytes(32), "bafk"))
    chain.transact(log.logEnded(reservation, 3))


def test_decodes_every_event_of_both_contracts_as_web3_does(app) -> None:
    chain = onchain.platform_chain()
    first_block = onchain.head() + 1
    emit_every_event(chain)
    names = {chain.contract(name).address.lower(): name for name in chain.deployment["contracts"]}
    decoder = Decoder({name: (chain.contract(name).address, chain.contract(name).abi) for name in names.values()})
    query = {"fromBlock": hex(first_block), "toBlock": "latest", "address": decoder.addresses}
    raw_logs = onchain.rpc("eth_getLogs", query)
    logs = chain.web3.eth.get_logs({"fromBlock": first_block, "toBlock": "latest", "address": decoder.addresses})

    seen = set()
    for raw, log in zip(raw_logs, logs, strict=True):
        decoded = decoder.decode(raw)
        assert decoded is not None
        assert decoded.args == web3_args(chain, decoded.contract, log)
        assert (decoded.tx_hash, decoded.log_index) == (log["transactionHash"].to_0x_hex(), log["logIndex"])
        assert (decoded.block_number, decoded.block_hash) == (log["blockNumber"], log["blockHash"].to_0x_hex())
        seen.add(decoded.event)
    assert seen >= {
        "CertificateIssued",
        "BatchCommitted",
        "TransferSingle",
        "TransferBatch",
        "ClaimSingle",
        "CertificateRevoked",
        "ProvisionalIssued",
        "IrecIssued",
        "ProvisionalReleased",
        "ReservationCreated",
        "ReservationDevicesChanged",
        "ReservationEnded",
    }


def test_ignores_logs_of_other_contracts(app) -> None:
    chain = onchain.platform_chain()
    contract = chain.contract("DrecCertificates")
    decoder = Decoder({"DrecCertificates": (contract.address, contract.abi)})
    onchain.issue(onchain.new_wallet().address, 1)
    [raw, *_] = onchain.rpc("eth_getLogs", {"fromBlock": hex(onchain.head()), "address": contract.address})

    assert decoder.decode(raw) is not None
    assert decoder.decode({**raw, "address": "0x" + "11" * 20}) is None
