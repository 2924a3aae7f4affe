"""Writing claims on chain from the claimant's platform-managed account (custodial organizations)."""

import uuid
from datetime import datetime

from eth_account import Account
from sqlalchemy.orm import Session
from web3.exceptions import ContractLogicError

from dapp.accounts.models import Organization
from dapp.chain import outbox
from dapp.chain.accounts import managed_account_key
from dapp.chain.contracts import Chain
from dapp.chain.models import OutboxEntry, OutboxKind
from dapp.issuance.claims import claim_data
from dapp.issuance.models import Certificate, Claim, ClaimStatus

GAS_MINIMUM_WEI = 10**16  # 0.01 of the chain's coin
GAS_TOP_UP_WEI = 5 * 10**16


def submit_claims(session: Session, chain: Chain, secret_key: str, now: datetime) -> int:
    """Send each pending claim as a `claim` transaction of the holder; returns how many were handled."""
    entries = outbox.claim_pending(session, OutboxKind.CLAIM_CERTIFICATE, 20)
    for entry in entries:
        _submit(session, chain, secret_key, entry, now)
    return len(entries)


def _submit(session: Session, chain: Chain, secret_key: str, entry: OutboxEntry, now: datetime) -> None:
    claim = session.get_one(Claim, uuid.UUID(entry.subject_id))
    certificate = session.get_one(Certificate, claim.certificate_id)
    organization = session.get_one(Organization, claim.organization_id)
    holder = Account.from_key(managed_account_key(secret_key, organization.encrypted_private_key))
    chain.fund(holder.address, GAS_MINIMUM_WEI, GAS_TOP_UP_WEI)
    call = chain.contract("DrecCertificates").functions.claim(
        holder.address, int(certificate.token_id), claim.volume_wh, claim_data(claim)
    )
    try:
        receipt = chain.transact(call, signer=holder)
    except ContractLogicError as error:
        claim.status, claim.failure = ClaimStatus.FAILED, f"The chain refused the claim: {error}"[:500]
        outbox.mark_done([entry], now, None, None)
        return
    tx_hash = "0x" + receipt["transactionHash"].hex().removeprefix("0x")
    claim.status, claim.tx_hash, claim.claimed_at = ClaimStatus.CLAIMED, tx_hash, now
    outbox.mark_done([entry], now, tx_hash, receipt["gasUsed"])
