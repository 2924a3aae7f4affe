"""Figures of the dashboard (R-UI-2) and of the operations snapshot (dapp.admin.operations, which the dashboard
shows): the signers' gas money, the chain outbox by state, webhook deliveries and failures. The chain is asked
directly; when its node does not answer, the dashboard says so instead of failing."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.chain.contracts import Chain, ChainUnavailable
from dapp.models.accounts import Organization
from dapp.models.chain import OutboxEntry
from dapp.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint

MANAGED_LIMIT = 100


@dataclass(frozen=True)
class SignerBalance:
    label: str
    address: str
    balance_wei: int


@dataclass(frozen=True)
class SignerFigures:
    signers: list[SignerBalance]
    error: str | None  # why the node could not be asked


@dataclass(frozen=True)
class WebhookFigures:
    by_status: dict[str, int]  # deliveries kept, by status
    retrying: int  # pending deliveries with at least one failed try
    disabled_endpoints: int

    @property
    def failed(self) -> int:  # deliveries that gave up
        return self.by_status.get(DeliveryStatus.FAILED, 0)


def signer_figures(session: Session, chain: Chain) -> SignerFigures:
    """Signer balances, or why the chain node could not tell."""
    try:
        signers = [SignerBalance("platform signer", chain.signer.address, chain.balance_wei(chain.signer.address))]
        signers += [
            SignerBalance(f"managed account of {name}", address, chain.balance_wei(address))
            for name, address in session.execute(
                select(Organization.name, Organization.blockchain_address)
                .where(Organization.encrypted_private_key.is_not(None), Organization.blockchain_address.is_not(None))
                .order_by(Organization.name)
                .limit(MANAGED_LIMIT)
            ).tuples()
            if address is not None
        ]
    except ChainUnavailable as error:
        return SignerFigures([], str(error))
    return SignerFigures(signers, None)


def outbox_counts(session: Session) -> dict[str, int]:
    """Chain-outbox entries by state (pending, sent, done, failed)."""
    rows = session.execute(select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status)).tuples()
    return dict(rows.all())


def webhook_figures(session: Session) -> WebhookFigures:
    by_status = dict(
        session.execute(select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)).tuples().all()
    )
    retrying = session.scalar(
        select(func.count()).where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.attempts > 0)
    )
    disabled = session.scalar(select(func.count()).where(WebhookEndpoint.disabled_at.is_not(None)))
    return WebhookFigures(by_status, retrying or 0, disabled or 0)
