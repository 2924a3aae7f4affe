"""Writing custodial transfers on chain: `safeTransferFrom` signed by the sender's platform-managed account."""

import uuid

from sqlalchemy.orm import Session
from web3 import Web3

from dapp.accounts.models import Organization
from dapp.chain.custody import HeldCall, held_effects, submit_held
from dapp.chain.models import OutboxKind
from dapp.chain.sending import Run
from dapp.issuance.models import Certificate, CertificateTransfer


def submit_transfer(run: Run, secret_key: str) -> int:
    """Send the next due transfer; returns 1, or 0 when none is due."""
    return submit_held(run, secret_key, OutboxKind.TRANSFER_CERTIFICATE, _transfer_call)


def _transfer_call(session: Session, subject_id: str) -> HeldCall:
    transfer = session.get_one(CertificateTransfer, uuid.UUID(subject_id))
    token_id = int(session.get_one(Certificate, transfer.certificate_id).token_id)
    to = Web3.to_checksum_address(transfer.to_address)
    return HeldCall(
        session.get_one(Organization, transfer.organization_id),
        lambda contract, holder: contract.functions.safeTransferFrom(holder, to, token_id, transfer.volume_wh, b""),
    )


TRANSFER_EFFECTS = held_effects(CertificateTransfer)
