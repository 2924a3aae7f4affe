"""R-NF-4: gas per certificate inside `DrecCertificates.issueBatch` vs. bare ERC-1155 mints, same run.

Everything runs on one fresh anvil: DrecCertificates as deployed by `scripts/deploy.py`, and the reference
`contracts/reference/BareErc1155.sol` (OpenZeppelin ERC-1155 storing nothing but balances). For batches of 1,
10, 50 and 100 certificates it prints our gas per certificate and two ratios (goal ≤ 1.5, '!' when over):

- (a) against the bare contract's `_mintBatch` of as many new ids, per id (the tightest reading);
- (b) against one bare `mint` transaction of one new id, total gas with the 21,000 intrinsic (the literal one).

Then it breaks the 50-certificate transactions down by what the gas paid for (from an opcode trace):
intrinsic, calldata, fresh and updated storage slots, storage reads, events, hashing, the rest.
In the table every certificate and token goes to the same (warm) account, so neither side pays for cold
recipients; one more line shows a batch to distinct fresh accounts. Certificate fields look like the platform's
(random keys, reservation ids and roots, binary CIDv1).
Usage: `.venv/bin/python -m bench.mint_gas` (after `make setup`).
"""

import json
import random
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from web3 import Web3

from dapp.chain.contracts import Chain
from dapp.ipfs.cid import RAW_CODEC, binary_cid
from dapp.settings import DEV_PLATFORM_KEY
from scripts import devstack

MANIFEST = Path(__file__).resolve().parent.parent / ".build" / "__local__.json"
SIZES = (1, 10, 50, 100)
TRACED_SIZE = 50
GOAL = 1.5
INTRINSIC = 21_000
FRESH_SLOT_WRITE = 20_000  # an SSTORE to a zero slot costs this (plus 2,100 when the slot is cold)
PERIOD_START = 1_780_000_000
DAY = 86_400


def certificate(rng: random.Random, owner: str) -> tuple[Any, ...]:
    """Certificate data shaped like the platform's: hashes and uuids are random, volumes a few MWh."""
    return (
        rng.randbytes(32),
        owner,
        rng.randrange(100_000, 50_000_000),
        PERIOD_START,
        PERIOD_START + DAY,
        rng.randbytes(16),
        rng.randbytes(32),
        binary_cid(RAW_CODEC, rng.randbytes(64))[:4],
        rng.randbytes(32),
    )


def deploy_reference(chain: Chain) -> Any:
    contract_type = json.loads(MANIFEST.read_text())["contractTypes"]["BareErc1155"]
    factory = chain.web3.eth.contract(
        abi=contract_type["abi"], bytecode=contract_type["deploymentBytecode"]["bytecode"]
    )
    receipt = chain.transact(factory.constructor())
    return chain.web3.eth.contract(address=receipt["contractAddress"], abi=contract_type["abi"])


def calldata_gas(data: bytes) -> int:
    """Intrinsic gas of a transaction's input: 4 per zero byte, 16 per other byte."""
    zeros = data.count(0)
    return 4 * zeros + 16 * (len(data) - zeros)


def breakdown(web3: Web3, receipt: Any) -> tuple[Counter[str], int]:
    """Where a transaction's gas went, from anvil's opcode trace (needs `--steps-tracing`), and how many fresh
    storage slots it wrote."""
    tx_hash = receipt["transactionHash"].to_0x_hex()
    trace = web3.provider.make_request("debug_traceTransaction", [tx_hash, {"disableStack": True}])  # type: ignore[arg-type]
    data = bytes(web3.eth.get_transaction(tx_hash)["input"])
    parts: Counter[str] = Counter(intrinsic=INTRINSIC, calldata=calldata_gas(data))
    fresh = 0
    for step in trace["result"]["structLogs"]:
        op, cost = step["op"], step["gasCost"]
        if op == "SSTORE":
            parts["fresh slots" if cost >= FRESH_SLOT_WRITE else "slot updates"] += cost
            fresh += cost >= FRESH_SLOT_WRITE
        elif op == "SLOAD":
            parts["storage reads"] += cost
        elif op.startswith("LOG"):
            parts["events"] += cost
        elif op == "KECCAK256":
            parts["hashing"] += cost
    parts["other execution"] = receipt["gasUsed"] - sum(parts.values())
    return parts, fresh


def measure(chain: Chain) -> dict[int, tuple[Any, Any]]:
    """Print the table; return each size's receipts (ours, the reference's `_mintBatch`)."""
    certificates = chain.contract("DrecCertificates")
    reference = deploy_reference(chain)
    owner = chain.signer.address
    rng = random.Random(4)  # noqa: S311 - varied test data, not secrets
    receipts = {}
    print(f"{'batch':>5} {'ours/cert':>10} {'(a) _mintBatch/id':>18} {'ratio a':>8} {'(b) mint tx':>12} {'ratio b':>8}")
    for size in SIZES:
        batch = [certificate(rng, owner) for _ in range(size)]
        ids = [int.from_bytes(c[0], "big") for c in batch]
        ours = chain.transact(certificates.functions.issueBatch(batch))
        bare_batch = chain.transact(reference.functions.mintBatch(owner, ids, [c[2] for c in batch]))
        single = chain.transact(reference.functions.mint(owner, ids[0] + 1, batch[0][2]))["gasUsed"]
        receipts[size] = (ours, bare_batch)
        per_cert, per_id = ours["gasUsed"] // size, bare_batch["gasUsed"] // size
        print(
            f"{size:>5} {per_cert:>10,} {per_id:>18,} {_ratio(per_cert, per_id):>8} {single:>12,} "
            f"{_ratio(per_cert, single):>8}"
        )
    return receipts


def measure_distinct_recipients(chain: Chain, size: int) -> None:
    """A batch whose certificates go to as many fresh accounts, as the platform's batches mostly do: each new
    recipient costs 2,600 gas of cold account access (the ERC-1155 receiver check), as it would in a bare mint."""
    rng = random.Random(5)  # noqa: S311 - varied test data, not secrets
    recipients = [Web3.to_checksum_address(rng.randbytes(20)) for _ in range(size + 1)]
    batch = [certificate(rng, recipient) for recipient in recipients[:size]]
    ours = chain.transact(chain.contract("DrecCertificates").functions.issueBatch(batch))["gasUsed"] // size
    reference = deploy_reference(chain)
    single = chain.transact(reference.functions.mint(recipients[-1], 1, 1_000_000))["gasUsed"]
    print(
        f"\nbatch of {size}, each certificate to a fresh account: {ours:,} gas/cert; ratio (b) against a bare mint "
        f"to a fresh account ({single:,}): {_ratio(ours, single)}"
    )


def _ratio(ours: int, reference: int) -> str:
    ratio = ours / reference
    return f"{ratio:.3f}{'' if ratio <= GOAL else '!'}"


def print_breakdown(web3: Web3, ours: Any, reference: Any, size: int) -> None:
    (mine, mine_fresh), (bare, bare_fresh) = breakdown(web3, ours), breakdown(web3, reference)
    print(f"\nbatch of {size}: gas per certificate (ours) and per id (a)")
    for part in ("intrinsic", "calldata", "fresh slots", "slot updates", "storage reads", "events", "hashing"):
        print(f"{part:>16} {mine[part] / size:>8,.0f} {bare[part] / size:>8,.0f}")
    print(f"{'other execution':>16} {mine['other execution'] / size:>8,.0f} {bare['other execution'] / size:>8,.0f}")
    print(f"{'fresh slots/cert':>16} {mine_fresh / size:>8.2f} {bare_fresh / size:>8.2f}")


def main() -> None:
    rpc_url, stop = devstack.start_anvil(None, steps_tracing=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            deployment = Path(folder) / "deployment.json"
            devstack.deploy(rpc_url, deployment)
            chain = Chain(rpc_url, deployment, DEV_PLATFORM_KEY)
            receipts = measure(chain)
            measure_distinct_recipients(chain, TRACED_SIZE)
            print_breakdown(chain.web3, *receipts[TRACED_SIZE], TRACED_SIZE)
    finally:
        stop()


if __name__ == "__main__":
    main()
