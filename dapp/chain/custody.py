"""Sending custodial operations (claims, transfers): each signed with the managed key of the organization that
asked for it, after topping up that account's gas from the platform account.

They go through dapp.chain.sending like mints: recorded before broadcast, retried with the outbox's policy.
An operation is `sent` once its transaction is mined (what the UI shows as done comes from the indexed events,
R-IDX-1), and `failed` when the policy gives up on it or at once when the contract refuses it (more than the
holder has, a revoked certificate, a recipient that cannot receive: retrying would not change the answer, and
the volume it holds is freed); an admin's retry makes a failed one pending again.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from eth_account import Account
from sqlalchemy.orm import Session
from web3.contract import Contract

from dapp.accounts.models import Organization
from dapp.chain import outbox
from dapp.chain.accounts import managed_account_key
from dapp.chain.models import OutboxEntry
from dapp.chain.sending import Effects, Prepared, Run, try_once
from dapp.issuance.models import CertificateTransfer, Claim, HeldStatus

GAS_MINIMUM_WEI = 10**16  # 0.01 of the chain's coin
GAS_TOP_UP_WEI = 5 * 10**16


@dataclass(frozen=True)
class HeldCall:
    """One operation to send: the organization whose key signs, and the contract call (given the contract and
    the holder's address)."""

    organization: Organization
    call: Callable[[Contract, str], Any]


Describe = Callable[[Session, str], HeldCall]


def submit_held(run: Run, secret_key: str, kind: str, describe: Describe) -> int:
    """Send the next due operation of `kind`; returns 1, or 0 when none is due."""
    return try_once(run, partial(_next, run, kind), partial(_held_call, run, secret_key, describe))


def _next(run: Run, kind: str, session: Session, now: datetime) -> list[OutboxEntry]:
    return outbox.claim_due(session, kind, 1, now, exclude=run.failed)


def _held_call(
    run: Run, secret_key: str, describe: Describe, session: Session, entries: list[OutboxEntry], _now: datetime
) -> Prepared:
    [entry] = entries
    held = describe(session, entry.subject_id)
    assert held.organization.encrypted_private_key is not None
    holder = Account.from_key(managed_account_key(secret_key, held.organization.encrypted_private_key))
    run.chain.fund(holder.address, GAS_MINIMUM_WEI, GAS_TOP_UP_WEI)
    return Prepared(held.call(run.chain.contract("DrecCertificates"), holder.address), entries, signer=holder)


def held_effects(model: type[Claim] | type[CertificateTransfer]) -> Effects:
    """How the rows of `model` follow their outbox entries."""

    def operations(session: Session, entries: list[OutboxEntry]) -> list[Claim | CertificateTransfer]:
        return [session.get_one(model, uuid.UUID(entry.subject_id)) for entry in entries]

    def sent(session: Session, entries: list[OutboxEntry], tx_hash: str, now: datetime) -> None:
        for operation in operations(session, entries):
            operation.status, operation.tx_hash, operation.sent_at = HeldStatus.SENT, tx_hash, now

    def refused(session: Session, entries: list[OutboxEntry], _now: datetime) -> None:
        for entry, operation in zip(entries, operations(session, entries), strict=True):
            operation.status = HeldStatus.FAILED
            operation.failure = f"The chain did not record it: {entry.last_error}"[:500]

    def reopened(session: Session, entries: list[OutboxEntry]) -> None:
        for operation in operations(session, entries):
            if operation.status == HeldStatus.FAILED:
                operation.status, operation.failure = HeldStatus.PENDING, None

    return Effects(done=sent, gave_up=refused, retried=reopened, refusal_is_final=True)
