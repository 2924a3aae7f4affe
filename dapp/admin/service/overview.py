"""Figures of the dashboard (R-UI-2) and of the operations snapshot (dapp.admin.operations, which the dashboard
shows): the signers' gas money, the chain outbox by state, webhook deliveries and failures, the I-REC registry
queue. The chain and the registry are asked directly; when one does not answer, the dashboard says so instead of
failing."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.chain.contracts import Chain, ChainUnavailable
from dapp.irec.registry import Registry, RegistryRefused, RegistryUnavailable
from dapp.models.accounts import Organization
from dapp.models.chain import OutboxEntry
from dapp.models.irec import (
    IrecDeviceGroup,
    IrecIssueRequest,
    IrecRedemption,
    IssueRequestStatus,
    RedemptionStatus,
    RegistrationStatus,
)
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


@dataclass(frozen=True)
class IrecFigures:
    """The I-REC registry queue (ADR 0077): device groups and issue requests by state, how long the oldest one has
    waited for the registry, what needs an admin, and whether the registry answers now."""

    groups: dict[str, int]
    requests: dict[str, int]
    oldest_waiting: timedelta | None  # the oldest group submitted or request queued or requested, until now
    failed_requests: int  # rejected or with conflicting serials: retried from the issue requests page
    failed_redemptions: int
    registry_error: str | None  # why the registry could not be asked


WAITING_REQUESTS = (IssueRequestStatus.QUEUED, IssueRequestStatus.REQUESTED)
FAILED_REQUESTS = (IssueRequestStatus.REJECTED, IssueRequestStatus.SERIAL_CONFLICT)


def irec_figures(session: Session, registry: Registry, platform_account: str, now: datetime) -> IrecFigures:
    """The registry queue from the database; the registry itself is asked only whether it answers."""
    groups = session.execute(
        select(IrecDeviceGroup.registration_status, func.count()).group_by(IrecDeviceGroup.registration_status)
    ).tuples()
    requests = session.execute(select(IrecIssueRequest.status, func.count()).group_by(IrecIssueRequest.status)).tuples()
    oldest = min(
        (
            moment
            for moment in (
                session.scalar(
                    select(func.min(IrecDeviceGroup.submitted_at)).where(
                        IrecDeviceGroup.registration_status == RegistrationStatus.SUBMITTED
                    )
                ),
                session.scalar(
                    select(func.min(IrecIssueRequest.created_at)).where(IrecIssueRequest.status.in_(WAITING_REQUESTS))
                ),
            )
            if moment is not None
        ),
        default=None,
    )
    failed = session.scalar(select(func.count()).where(IrecIssueRequest.status.in_(FAILED_REQUESTS))) or 0
    redemptions = session.scalar(select(func.count()).where(IrecRedemption.status == RedemptionStatus.FAILED)) or 0
    return IrecFigures(
        dict(groups.all()), dict(requests.all()), now - oldest if oldest is not None else None, failed, redemptions,
        _registry_error(registry, platform_account),
    )  # fmt: skip


def _registry_error(registry: Registry, platform_account: str) -> str | None:
    try:
        registry.account_balance(platform_account)
    except RegistryUnavailable as error:
        return str(error)
    except RegistryRefused as refused:
        return f"it refused the platform's call: {refused.reason}"
    return None
