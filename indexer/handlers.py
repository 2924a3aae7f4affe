"""What indexed events change in the registry's tables, and how a rewind undoes it."""

from sqlalchemy import select, update
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


def balances(session: Session, holder: str) -> dict[str, int]:
    """Token balances of `holder` from indexed TransferSingle/TransferBatch events (token id → Wh)."""
    holder = holder.lower()
    totals: dict[str, int] = {}
    rows = session.scalars(select(ChainEvent).where(ChainEvent.event.in_(("TransferSingle", "TransferBatch"))))
    for event in rows:
        for token_id, value in _transfers(event):
            if event.args["to"].lower() == holder:
                totals[token_id] = totals.get(token_id, 0) + value
            if event.args["from"].lower() == holder:
                totals[token_id] = totals.get(token_id, 0) - value
    return {token_id: amount for token_id, amount in totals.items() if amount}


def _transfers(event: ChainEvent) -> list[tuple[str, int]]:
    if event.event == "TransferSingle":
        return [(event.args["id"], int(event.args["value"]))]
    return [(token_id, int(value)) for token_id, value in zip(event.args["ids"], event.args["values"], strict=True)]
