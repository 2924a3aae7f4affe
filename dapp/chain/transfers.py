"""Writing custodial transfers on chain: `safeTransferFrom` signed by the sender's platform-managed account."""

import uuid
from datetime import datetime

from sqlalchemy.orm import Session
from web3 import Web3

from dapp.accounts.models import Organization
from dapp.chain.contracts import Chain
from dapp.chain.custody import HeldCall, submit_held
from dapp.chain.models import OutboxKind
from dapp.issuance.models import Certificate, CertificateTransfer


def submit_transfers(session: Session, chain: Chain, secret_key: str, now: datetime) -> int:
    """Send each pending transfer; returns how many were handled."""
    return submit_held(session, chain, secret_key, OutboxKind.TRANSFER_CERTIFICATE, _transfer_call, now)


def _transfer_call(session: Session, subject_id: str) -> HeldCall:
    transfer = session.get_one(CertificateTransfer, uuid.UUID(subject_id))
    token_id = int(session.get_one(Certificate, transfer.certificate_id).token_id)
    to = Web3.to_checksum_address(transfer.to_address)
    return HeldCall(
        transfer,
        session.get_one(Organization, transfer.organization_id),
        lambda contract, holder: contract.functions.safeTransferFrom(holder, to, token_id, transfer.volume_wh, b""),
    )
