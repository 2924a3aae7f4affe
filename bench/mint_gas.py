"""Gas per certificate of `DrecCertificates.issueBatch`, for batches of 1, 10 and 50 certificates.

Runs its own anvil with freshly deployed contracts. Usage: `.venv/bin/python -m bench.mint_gas`.
The R-NF-4 reference (a bare ERC-1155 mint measured in the same run) is added with the gas work of issue 7;
this script reports the figure the foundation's closing note quotes.
"""

import tempfile
from pathlib import Path

from eth_utils import keccak

from dapp.chain.contracts import Chain
from dapp.settings import DEV_PLATFORM_KEY
from scripts import devstack

CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


def certificate(owner: str, serial: int) -> tuple:
    return (
        keccak(serial.to_bytes(32, "big")),
        owner,
        1_000_000 + serial,
        1_700_000_000,
        1_700_086_400,
        bytes(16),
        keccak(b"root"),
        CID,
    )


def main() -> None:
    rpc_url, stop = devstack.start_anvil(None)
    try:
        with tempfile.TemporaryDirectory() as folder:
            deployment = Path(folder) / "deployment.json"
            devstack.deploy(rpc_url, deployment)
            chain = Chain(rpc_url, deployment, DEV_PLATFORM_KEY)
            contract = chain.contract("DrecCertificates")
            owner = chain.signer.address
            serial = 0
            for size in (1, 10, 50):
                batch = [certificate(owner, serial + i) for i in range(size)]
                serial += size
                receipt = chain.transact(contract.functions.issueBatch(batch))
                gas = receipt["gasUsed"]
                print(f"issueBatch of {size:3}: {gas:>9,} gas, {gas // size:>7,} per certificate")
    finally:
        stop()


if __name__ == "__main__":
    main()
