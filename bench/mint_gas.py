"""R-NF-4: gas per certificate inside `DrecCertificates.issueBatch` vs. a bare ERC-1155 mint, same run.

Both run on one fresh anvil: DrecCertificates as deployed by `scripts/deploy.py`, and the reference
`contracts/reference/BareErc1155.sol` (OpenZeppelin ERC-1155, `_mint` of each new id, nothing else stored).
Batches of 1, 10 and 50; prints gas per certificate and the ratio (goal ≤ 1.5).
Usage: `.venv/bin/python -m bench.mint_gas` (after `make setup`).
"""

import json
import tempfile
from pathlib import Path

from eth_utils import keccak

from dapp.chain.contracts import Chain
from dapp.settings import DEV_PLATFORM_KEY
from scripts import devstack

CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
MANIFEST = Path(__file__).resolve().parent.parent / ".build" / "__local__.json"
SIZES = (1, 10, 50)
GOAL = 1.5


def certificate(owner: str, serial: int) -> tuple:
    key = keccak(serial.to_bytes(32, "big"))
    return (key, owner, 1_000_000 + serial, 1_700_000_000, 1_700_086_400, bytes(16), keccak(b"root"), CID)


def deploy_reference(chain: Chain):
    contract_type = json.loads(MANIFEST.read_text())["contractTypes"]["BareErc1155"]
    factory = chain.web3.eth.contract(
        abi=contract_type["abi"], bytecode=contract_type["deploymentBytecode"]["bytecode"]
    )
    receipt = chain.transact(factory.constructor())
    return chain.web3.eth.contract(address=receipt["contractAddress"], abi=contract_type["abi"])


def measure(chain: Chain) -> None:
    certificates = chain.contract("DrecCertificates")
    reference = deploy_reference(chain)
    owner = chain.signer.address
    serial = 0
    print(f"{'batch':>5} {'issueBatch gas/cert':>20} {'bare mint gas/token':>20} {'ratio':>6}")
    for size in SIZES:
        batch = [certificate(owner, serial + i) for i in range(size)]
        ids = [int.from_bytes(c[0], "big") for c in batch]
        serial += size
        ours = chain.transact(certificates.functions.issueBatch(batch))["gasUsed"] // size
        bare = chain.transact(reference.functions.mintEach(owner, ids, [c[2] for c in batch]))["gasUsed"] // size
        verdict = "ok" if ours / bare <= GOAL else f"over {GOAL}"
        print(f"{size:>5} {ours:>20,} {bare:>20,} {ours / bare:>6.2f} {verdict}")


def main() -> None:
    rpc_url, stop = devstack.start_anvil(None)
    try:
        with tempfile.TemporaryDirectory() as folder:
            deployment = Path(folder) / "deployment.json"
            devstack.deploy(rpc_url, deployment)
            measure(Chain(rpc_url, deployment, DEV_PLATFORM_KEY))
    finally:
        stop()


if __name__ == "__main__":
    main()
