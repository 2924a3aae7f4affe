"""Writing claims on chain from the claimant's platform-managed account (custodial organizations).

Claims go through dapp.chain.sending like mints: recorded before broadcast, retried with the outbox's policy;
a claim the chain still refuses when the policy gives up is marked failed.
"""

import uuid
from datetime import datetime
from functools import partial

from eth_account import Account
from sqlalchemy.orm import Session

from dapp.accounts.models import Organization
from dapp.chain import outbox
from dapp.chain.accounts import managed_account_key
from dapp.chain.models import OutboxEntry, OutboxKind
from dapp.chain.sending import Effects, Prepared, Run, try_once
from dapp.issuance.claims import claim_data
from dapp.issuance.models import Certificate, Claim, ClaimStatus

GAS_MINIMUM_WEI = 10**16  # 0.01 of the chain's coin
GAS_TOP_UP_WEI = 5 * 10**16


def submit_claim(run: Run, secret_key: str) -> int:
    """Send the next due claim as a `claim` transaction of the holder; returns 1, or 0 when none is due."""
    return try_once(run, partial(_next_claim, run), partial(_claim_call, run, secret_key))


def _next_claim(run: Run, session: Session, now: datetime) -> list[OutboxEntry]:
    return outbox.claim_due(session, OutboxKind.CLAIM_CERTIFICATE, 1, now, exclude=run.failed)


def _claim_call(run: Run, secret_key: str, session: Session, entries: list[OutboxEntry], _now: datetime) -> Prepared:
    [entry] = entries
    claim = session.get_one(Claim, uuid.UUID(entry.subject_id))
    certificate = session.get_one(Certificate, claim.certificate_id)
    organization = session.get_one(Organization, claim.organization_id)
    holder = Account.from_key(managed_account_key(secret_key, organization.encrypted_private_key))
    run.chain.fund(holder.address, GAS_MINIMUM_WEI, GAS_TOP_UP_WEI)
    call = run.chain.contract("DrecCertificates").functions.claim(
        holder.address, int(certificate.token_id), claim.volume_wh, claim_data(claim)
    )
    return Prepared(call, entries, signer=holder)


def _claimed(session: Session, entries: list[OutboxEntry], tx_hash: str, now: datetime) -> None:
    for entry in entries:
        claim = session.get_one(Claim, uuid.UUID(entry.subject_id))
        claim.status, claim.tx_hash, claim.claimed_at = ClaimStatus.CLAIMED, tx_hash, now


def _refused(session: Session, entries: list[OutboxEntry], _now: datetime) -> None:
    for entry in entries:
        claim = session.get_one(Claim, uuid.UUID(entry.subject_id))
        claim.status = ClaimStatus.FAILED
        claim.failure = f"The chain did not record the claim: {entry.last_error}"[:500]


def _reopened(session: Session, entries: list[OutboxEntry]) -> None:
    for entry in entries:
        claim = session.get_one(Claim, uuid.UUID(entry.subject_id))
        if claim.status == ClaimStatus.FAILED:
            claim.status, claim.failure = ClaimStatus.PENDING, None


CLAIM_EFFECTS = Effects(done=_claimed, gave_up=_refused, retried=_reopened)
