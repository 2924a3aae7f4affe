"""Writing claims on chain from the claimant's platform-managed account (custodial organizations)."""

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from dapp.accounts.models import Organization
from dapp.chain.contracts import Chain
from dapp.chain.custody import HeldCall, submit_held
from dapp.chain.models import OutboxKind
from dapp.issuance.claims import claim_data
from dapp.issuance.models import Certificate, Claim


def submit_claims(session: Session, chain: Chain, secret_key: str, now: datetime) -> int:
    """Send each pending claim as a `claim` transaction of the holder; returns how many were handled."""
    return submit_held(session, chain, secret_key, OutboxKind.CLAIM_CERTIFICATE, _claim_call, now)


def _claim_call(session: Session, subject_id: str) -> HeldCall:
    claim = session.get_one(Claim, uuid.UUID(subject_id))
    token_id = int(session.get_one(Certificate, claim.certificate_id).token_id)
    return HeldCall(
        claim,
        session.get_one(Organization, claim.organization_id),
        lambda contract, holder: contract.functions.claim(holder, token_id, claim.volume_wh, claim_data(claim)),
    )
