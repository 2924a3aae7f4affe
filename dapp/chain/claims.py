"""Writing claims on chain from the claimant's platform-managed account (custodial organizations)."""

import uuid

from sqlalchemy.orm import Session

from dapp.accounts.models import Organization
from dapp.chain.custody import HeldCall, held_effects, submit_held
from dapp.chain.models import OutboxKind
from dapp.chain.sending import Run
from dapp.issuance.claims import claim_data
from dapp.issuance.models import Certificate, Claim


def submit_claim(run: Run, secret_key: str) -> int:
    """Send the next due claim as a `claim` transaction of the holder; returns 1, or 0 when none is due."""
    return submit_held(run, secret_key, OutboxKind.CLAIM_CERTIFICATE, _claim_call)


def _claim_call(session: Session, subject_id: str) -> HeldCall:
    claim = session.get_one(Claim, uuid.UUID(subject_id))
    token_id = int(session.get_one(Certificate, claim.certificate_id).token_id)
    return HeldCall(
        session.get_one(Organization, claim.organization_id),
        lambda contract, holder: contract.functions.claim(holder, token_id, claim.volume_wh, claim_data(claim)),
    )


CLAIM_EFFECTS = held_effects(Claim)
