"""Creating a reservation (R-RES-1): validation of every field, the devices, the log and the notifications."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from zoneinfo import available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.accounts.errors import NotABuyer
from dapp.audit import service as audit
from dapp.chain.accounts import checked_address
from dapp.db import flush_or_raise
from dapp.errors import Conflict, Invalid, field_error
from dapp.models.accounts import Organization, OrganizationType
from dapp.models.reservations import ChangeKind, Reservation, ReservationDevice
from dapp.reservations.errors import ReservationNameTaken, devices_unavailable
from dapp.reservations.schemas import ReservationCreate
from dapp.reservations.service import log, notices
from dapp.reservations.service.availability import conflict_on_race, unavailable
from dapp.reservations.service.irec import require_irec_approved

WH_PER_MWH = Decimal(1_000_000)


@dataclass
class Created:
    reservation: Reservation
    left_out: list[tuple[uuid.UUID, str, datetime | None]] = field(default_factory=list)


def create(session: Session, actor: Actor, now: datetime, data: ReservationCreate) -> Created:
    """Reserve devices for the actor's buyer organization: all of them, or (when the request allows partial
    creation) the available ones; logged on chain, the developers notified."""
    buyer = _buyer(session, actor)
    _validate(data, now)
    wallet = _wallet(data.wallet_address, buyer)
    _require_free_name(session, buyer.id, data.name)
    device_ids, left_out = _devices(session, data, now)
    require_irec_approved(session, data.standard.value, device_ids)
    reservation = _new_reservation(buyer, data, wallet, now)
    session.add(reservation)
    flush_or_raise(session, _name_taken(data.name))
    for device_id in sorted(device_ids, key=str):
        session.add(
            ReservationDevice(
                reservation=reservation, device_id=device_id, active_from=data.start, active_until=data.end
            )
        )
    flush_or_raise(session, conflict_on_race())
    document = log.devices_document(reservation.id, device_ids, issuance_zone=reservation.timezone)
    log.record(session, reservation, ChangeKind.CREATED, now, document=document)
    notices.devices_reserved(session, reservation, device_ids, now, counted_from=reservation.period_start)
    summary = _summary(reservation, device_ids)
    audit.record(session, actor, "reservation.create", "reservation", reservation.id, after=summary, now=now)
    return Created(reservation, left_out)


def _new_reservation(buyer: Organization, data: ReservationCreate, wallet: str, now: datetime) -> Reservation:
    return Reservation(
        buyer_organization_id=buyer.id,
        name=data.name,
        period_start=data.start,
        period_end=data.end,
        frequency=data.frequency.value,
        timezone=data.timezone,
        authority_to_exceed=data.authority_to_exceed,
        target_wh=target_wh(data.target_volume_mwh),
        standard=data.standard.value,
        wallet_address=wallet,
        issued_until=data.start,
        created_at=now,
    )


def _buyer(session: Session, actor: Actor) -> Organization:
    buyer = session.get_one(Organization, actor.organization_id)
    if buyer.type != OrganizationType.BUYER:
        raise NotABuyer("Only buyer organizations reserve devices.")
    return buyer


def _validate(data: ReservationCreate, now: datetime) -> None:
    """Every rule on the fields themselves, all reported at once."""
    errors = _period_errors(data.start, data.end, now)
    if not data.authority_to_exceed and data.target_volume_mwh is None:
        errors.append(
            _error("target_volume_mwh", "target_required", "A target volume is needed without authority to exceed.")
        )
    if data.timezone not in _zones():
        errors.append(
            _error(
                "timezone",
                "unknown_timezone",
                f"Unknown time zone '{data.timezone}': use an IANA name such as 'Africa/Nairobi'.",
            )
        )
    if errors:
        raise Invalid(" ".join(e["message"] for e in errors), errors=errors)


def earliest_start(now: datetime) -> datetime:
    """12 calendar months before `now` (29 February falls back to the 28th)."""
    try:
        return now.replace(year=now.year - 1)
    except ValueError:
        return now.replace(year=now.year - 1, day=28)


def _period_errors(start: datetime, end: datetime, now: datetime) -> list[dict[str, str]]:
    earliest = earliest_start(now)
    errors = []
    if end <= start:
        errors.append(_error("end", "end_before_start", "The end must be after the start."))
    if start < earliest:
        errors.append(
            _error(
                "start",
                "start_too_old",
                f"The start may be at most 12 months in the past (not before {earliest:%Y-%m-%d %H:%M} UTC).",
            )
        )
    if end < earliest:
        errors.append(
            _error(
                "end",
                "end_too_old",
                f"An end in the past may be at most 12 months ago (not before {earliest:%Y-%m-%d %H:%M} UTC).",
            )
        )
    return errors


def _error(field_name: str, code: str, message: str) -> dict[str, str]:
    return {"field": field_name, "code": code, "message": message}


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _wallet(requested: str | None, buyer: Organization) -> str:
    """The requested wallet, else the buyer's bound wallet (R-CHAIN-4), else its platform-managed account."""
    if requested is not None:
        return checked_address("wallet_address", requested)
    if buyer.certificate_address is None:
        raise field_error(
            "wallet_address", "Your organization has no account yet: give a wallet address.", "wallet_required"
        )
    return buyer.certificate_address


def target_wh(target_mwh: Decimal | None) -> int | None:
    return None if target_mwh is None else int(target_mwh * WH_PER_MWH)


def _require_free_name(session: Session, buyer_id: uuid.UUID, name: str) -> None:
    taken = session.scalar(
        select(Reservation.id).where(
            Reservation.buyer_organization_id == buyer_id,
            func.lower(Reservation.name) == name.lower(),
            Reservation.deleted_at.is_(None),
        )
    )
    if taken is not None:
        raise _name_taken(name)


def _name_taken(name: str) -> Conflict:
    return ReservationNameTaken(
        f"You already have a reservation named '{name}'.",
        errors=[{"field": "name", "code": "taken", "message": "already used by another of your reservations"}],
    )


def _devices(
    session: Session, data: ReservationCreate, now: datetime
) -> tuple[set[uuid.UUID], list[tuple[uuid.UUID, str, datetime | None]]]:
    wanted = set(data.device_ids)
    refused = unavailable(session, wanted, now, (data.start, data.end))
    if refused and (not data.allow_partial or len(refused) == len(wanted)):
        raise devices_unavailable(refused)
    return wanted - {device_id for device_id, _, _ in refused}, refused


def _summary(reservation: Reservation, device_ids: set[uuid.UUID]) -> dict[str, object]:
    return {
        "name": reservation.name,
        "period_start": reservation.period_start,
        "period_end": reservation.period_end,
        "frequency": reservation.frequency,
        "target_wh": reservation.target_wh,
        "authority_to_exceed": reservation.authority_to_exceed,
        "standard": reservation.standard,
        "wallet_address": reservation.wallet_address,
        "device_ids": sorted(str(d) for d in device_ids),
    }
