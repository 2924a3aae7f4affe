"""Imports every feature's models so that the metadata (Alembic, tests) sees all tables."""

from dapp.accounts.models import ApiKey, EmailToken, Organization, User
from dapp.chain.models import ChainEvent, IndexerCheckpoint, OutboxEntry
from dapp.db import Base
from dapp.devices.models import Device
from dapp.issuance.models import Certificate, CertificateContribution, CertifiedEnergy, Claim
from dapp.reads.models import DeviceReadState, IdempotencyRecord, MeterRead, RejectedRead
from dapp.reservations.models import Reservation, ReservationDevice

__all__ = [
    "ApiKey",
    "Base",
    "Certificate",
    "CertificateContribution",
    "CertifiedEnergy",
    "ChainEvent",
    "Claim",
    "Device",
    "DeviceReadState",
    "EmailToken",
    "IdempotencyRecord",
    "IndexerCheckpoint",
    "MeterRead",
    "Organization",
    "OutboxEntry",
    "RejectedRead",
    "Reservation",
    "ReservationDevice",
    "User",
]
