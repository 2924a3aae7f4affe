"""Every table of the registry (the ground floor: features import these, never each other's tables)."""

from dapp.db import Base
from dapp.models.accounts import ApiKey, EmailToken, Invitation, Organization, User, UserSession, WalletChallenge
from dapp.models.audit import AuditEntry
from dapp.models.chain import (
    CertificateChainState,
    ChainEvent,
    ChainTransaction,
    IndexerCheckpoint,
    OutboxEntry,
    TokenBalance,
    TokenClaim,
    TokenTransfer,
)
from dapp.models.devices import Device, DeviceUpload, DeviceUploadRow, Project
from dapp.models.irec import (
    IrecAllocation,
    IrecCertificate,
    IrecDeviceGroup,
    IrecGroupMember,
    IrecIssueRequest,
    IrecPart,
    IrecRedemption,
)
from dapp.models.issuance import (
    Certificate,
    CertificateContribution,
    CertificateTransfer,
    CertifiedEnergy,
    Claim,
)
from dapp.models.notify import Notification
from dapp.models.reads import (
    CountryYield,
    DeviceReadState,
    HistorySpan,
    IdempotencyRecord,
    MeterRead,
    MeterReplacement,
    RejectedRead,
)
from dapp.models.reservations import Reservation, ReservationChange, ReservationDevice
from dapp.models.webhooks import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Base",
    "Certificate",
    "CertificateChainState",
    "CertificateContribution",
    "CertificateTransfer",
    "CertifiedEnergy",
    "ChainEvent",
    "ChainTransaction",
    "Claim",
    "CountryYield",
    "Device",
    "DeviceReadState",
    "DeviceUpload",
    "DeviceUploadRow",
    "EmailToken",
    "Event",
    "HistorySpan",
    "IdempotencyRecord",
    "IndexerCheckpoint",
    "Invitation",
    "IrecAllocation",
    "IrecCertificate",
    "IrecDeviceGroup",
    "IrecGroupMember",
    "IrecIssueRequest",
    "IrecPart",
    "IrecRedemption",
    "MeterRead",
    "MeterReplacement",
    "Notification",
    "Organization",
    "OutboxEntry",
    "Project",
    "RejectedRead",
    "Reservation",
    "ReservationChange",
    "ReservationDevice",
    "TokenBalance",
    "TokenClaim",
    "TokenTransfer",
    "User",
    "UserSession",
    "WalletChallenge",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
