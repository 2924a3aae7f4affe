"""The dashboard's figures (R-UI-2): how far the indexer is behind, the signers' gas money, the chain outbox by
state, webhook failures. The chain is asked directly; when its node does not answer, the dashboard says so
instead of failing."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.chain.contracts import Chain, ChainUnavailable
from dapp.chain.fees import FeeQuote
from dapp.models.accounts import Organization
from dapp.models.chain import OutboxEntry
from dapp.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from indexer.lag import IndexerLag, indexer_lag

MANAGED_LIMIT = 100


@dataclass(frozen=True)
class SignerBalance:
    label: str
    address: str
    balance_wei: int


@dataclass(frozen=True)
class ChainFigures:
    lag: IndexerLag | None
    signers: list[SignerBalance]
    error: str | None  # why the node could not be asked
    fees: FeeQuote | None = None  # what a transaction costs now, against the ceiling (ADR 0117)


@dataclass(frozen=True)
class WebhookFigures:
    failed: int  # deliveries that gave up
    retrying: int  # pending deliveries with at least one failed try
    disabled_endpoints: int


def chain_figures(session: Session, chain: Chain) -> ChainFigures:
    """Indexer lag and signer balances, or why the chain node could not tell."""
    try:
        lag = indexer_lag(session, chain)
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
        fees = chain.fee_quote()
    except (ChainUnavailable, OSError) as error:  # requests' connection errors are OSErrors
        return ChainFigures(None, [], str(error))
    return ChainFigures(lag, signers, None, fees)


def outbox_counts(session: Session) -> dict[str, int]:
    """Chain-outbox entries by state (pending, sent, done, failed)."""
    rows = session.execute(select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status)).tuples()
    return dict(rows.all())


def webhook_figures(session: Session) -> WebhookFigures:
    failed = session.scalar(select(func.count()).where(WebhookDelivery.status == DeliveryStatus.FAILED)) or 0
    retrying = session.scalar(
        select(func.count()).where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.attempts > 0)
    )
    disabled = session.scalar(select(func.count()).where(WebhookEndpoint.disabled_at.is_not(None)))
    return WebhookFigures(failed, retrying or 0, disabled or 0)
