"""What indexed events change in the registry's tables, and how a rewind undoes it."""

from sqlalchemy import update
from sqlalchemy.orm import Session

from dapp.chain.models import ChainEvent
from dapp.issuance.models import Certificate, CertificateStatus


def apply(session: Session, event: ChainEvent) -> None:
    if event.event == "CertificateIssued":
        session.execute(
            update(Certificate)
            .where(Certificate.token_id == event.args["id"])
            .values(status=CertificateStatus.MINTED, mint_tx_hash=event.tx_hash)
        )


def undo(session: Session, event: ChainEvent) -> None:
    if event.event == "CertificateIssued":
        session.execute(
            update(Certificate).where(Certificate.token_id == event.args["id"]).values(status=CertificateStatus.PENDING)
        )
