"""Imports every feature's models so that the metadata (Alembic, tests) sees all tables."""

from dapp.accounts.models import ApiKey, EmailToken, Invitation, Organization, User, WalletChallenge
from dapp.audit.models import AuditEntry
from dapp.chain.models import (
    CertificateChainState,
    ChainEvent,
    ChainTransaction,
    IndexerCheckpoint,
    OutboxEntry,
    TokenBalance,
    TokenClaim,
    TokenTransfer,
)
from dapp.db import Base
from dapp.devices.models import Device, DeviceUpload, DeviceUploadRow, Project
from dapp.issuance.models import (
    Certificate,
    CertificateContribution,
    CertificateTransfer,
    CertifiedEnergy,
    Claim,
)
from dapp.notify.models import Notification
from dapp.reads.models import (
    CountryYield,
    DeviceReadState,
    HistorySpan,
    IdempotencyRecord,
    MeterRead,
    MeterReplacement,
    RejectedRead,
)
from dapp.reservations.models import Reservation, ReservationChange, ReservationDevice

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
    "HistorySpan",
    "IdempotencyRecord",
    "IndexerCheckpoint",
    "Invitation",
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
    "WalletChallenge",
]
