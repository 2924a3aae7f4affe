"""Acting on the test chain directly, as a wallet or the platform would: issue, transfer, claim, revoke, reorg.

Holders are fresh accounts funded with anvil's `anvil_setBalance`, so each test sees only its own tokens on
the chain the whole session shares. Transactions are signed with the holder's own key (`Chain.transact`).
"""

import secrets
from dataclasses import dataclass
from typing import Any

from eth_account import Account

from dapp import platform
from dapp.chain.certificate_data import metadata_cid_fields
from dapp.chain.contracts import Chain, from_settings

CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
ONE_ETHER = 10**18


@dataclass
class Wallet:
    """An account on the test chain with its own signing key."""

    address: str
    chain: Chain

    @property
    def key(self) -> str:
        return self.chain.private_key


def platform_chain() -> Chain:
    """The chain as the platform signer (issuer role, provisional account) sees it."""
    return from_settings(platform.current().settings)


def rpc(method: str, *params: Any) -> Any:
    response = platform_chain().web3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in response, response
    return response["result"]


def new_wallet() -> Wallet:
    """A fresh account holding one ether for gas."""
    account = Account.create()
    rpc("anvil_setBalance", account.address, hex(ONE_ETHER))
    settings = platform.current().settings
    return Wallet(account.address, Chain(settings.chain_rpc_url, settings.deployment_file, account.key.to_0x_hex()))


def certificates(chain: Chain) -> Any:
    return chain.contract("DrecCertificates")


def certificate_data(owner: str, volume_wh: int) -> tuple[Any, ...]:
    key = secrets.token_bytes(32)
    period = (1_780_000_000, 1_780_086_400)
    return (key, owner, volume_wh, *period, secrets.token_bytes(16), bytes(32), *metadata_cid_fields(CID))


def issue(owner: str, *volumes_wh: int, key: bytes | None = None) -> list[str]:
    """Issue one certificate per volume to `owner`; returns their token ids (decimal strings)."""
    batch = [certificate_data(owner, volume) for volume in volumes_wh]
    if key is not None:
        batch[0] = (key, *batch[0][1:])
    chain = platform_chain()
    chain.transact(certificates(chain).functions.issueBatch(batch))
    return [str(int.from_bytes(data[0], "big")) for data in batch]


def issue_provisional(beneficiary: str, volume_wh: int) -> str:
    data = certificate_data(beneficiary, volume_wh)
    chain = platform_chain()
    chain.transact(certificates(chain).functions.issueProvisionalBatch([data]))
    return str(int.from_bytes(data[0], "big"))


def confirm_irec(token_id: str, serial_start: str, serial_end: str, cid: str = CID) -> None:
    chain = platform_chain()
    function = certificates(chain).functions.confirmIrec
    chain.transact(function(int(token_id), serial_start, serial_end, *metadata_cid_fields(cid)))


def release_provisional(token_id: str, volume_wh: int) -> None:
    chain = platform_chain()
    chain.transact(certificates(chain).functions.releaseProvisional(int(token_id), volume_wh))


def revoke(token_id: str, reason: str) -> None:
    chain = platform_chain()
    chain.transact(certificates(chain).functions.revoke(int(token_id), reason))


def transfer(holder: Wallet, to: str, token_id: str, value_wh: int) -> str:
    """`holder` sends `value_wh` of a token from its own wallet; returns the transaction hash."""
    call = certificates(holder.chain).functions.safeTransferFrom(holder.address, to, int(token_id), value_wh, b"")
    return holder.chain.transact(call)["transactionHash"].to_0x_hex()


def transfer_batch(holder: Wallet, to: str, moves: dict[str, int]) -> None:
    ids, values = [int(token) for token in moves], list(moves.values())
    holder.chain.transact(
        certificates(holder.chain).functions.safeBatchTransferFrom(holder.address, to, ids, values, b"")
    )


def claim(holder: Wallet, token_id: str, value_wh: int, data: bytes) -> str:
    call = certificates(holder.chain).functions.claim(holder.address, int(token_id), value_wh, data)
    return holder.chain.transact(call)["transactionHash"].to_0x_hex()


def balance_of(owner: str, token_id: str) -> int:
    chain = platform_chain()
    return int(certificates(chain).functions.balanceOf(owner, int(token_id)).call())


def head() -> int:
    return int(platform_chain().web3.eth.block_number)


def snapshot() -> str:
    return str(rpc("evm_snapshot"))


def revert(snapshot_id: str) -> None:
    assert rpc("evm_revert", snapshot_id) is True


def mine(blocks: int) -> None:
    rpc("anvil_mine", hex(blocks))
