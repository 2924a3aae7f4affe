"""Sending custodial operations (claims, transfers): each signed with the managed key of the organization that
asked for it, after topping up that account's gas from the platform account.

A transaction the contract refuses (reverted in the gas estimate) marks the operation failed; any other error
leaves the outbox entry pending for the next run.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eth_account import Account
from sqlalchemy.orm import Session
from web3.contract import Contract
from web3.exceptions import ContractLogicError

from dapp.accounts.models import Organization
from dapp.chain import outbox
from dapp.chain.accounts import managed_account_key
from dapp.chain.contracts import Chain
from dapp.chain.models import OutboxEntry
from dapp.issuance.models import CertificateTransfer, Claim, HeldStatus

GAS_MINIMUM_WEI = 10**16  # 0.01 of the chain's coin
GAS_TOP_UP_WEI = 5 * 10**16
BATCH = 20


@dataclass(frozen=True)
class HeldCall:
    """One operation to send: its row, the organization whose key signs, and the contract call (given the
    contract and the holder's address)."""

    operation: Claim | CertificateTransfer
    organization: Organization
    call: Callable[[Contract, str], Any]


def submit_held(
    session: Session,
    chain: Chain,
    secret_key: str,
    kind: str,
    prepare: Callable[[Session, str], HeldCall],
    now: datetime,
) -> int:
    """Send the pending outbox entries of `kind`, oldest first; returns how many were handled."""
    entries = outbox.claim_pending(session, kind, BATCH)
    for entry in entries:
        _send(chain, secret_key, entry, prepare(session, entry.subject_id), now)
    return len(entries)


def _send(chain: Chain, secret_key: str, entry: OutboxEntry, held: HeldCall, now: datetime) -> None:
    assert held.organization.encrypted_private_key is not None
    holder = Account.from_key(managed_account_key(secret_key, held.organization.encrypted_private_key))
    chain.fund(holder.address, GAS_MINIMUM_WEI, GAS_TOP_UP_WEI)
    operation = held.operation
    try:
        receipt = chain.transact(held.call(chain.contract("DrecCertificates"), holder.address), signer=holder)
    except ContractLogicError as error:
        operation.status, operation.failure = HeldStatus.FAILED, f"The chain refused it: {error}"[:500]
        outbox.mark_done([entry], now, None, None)
        return
    tx_hash = "0x" + receipt["transactionHash"].hex().removeprefix("0x")
    operation.status, operation.tx_hash, operation.sent_at = HeldStatus.SENT, tx_hash, now
    outbox.mark_done([entry], now, tx_hash, receipt["gasUsed"])
