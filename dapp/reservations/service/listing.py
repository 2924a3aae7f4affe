"""Reading reservations (R-RES-4): one reservation, My reservations with filters, per-reservation figures."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session, selectinload

from dapp.access.permissions import Actor
from dapp.models.devices import Device
from dapp.models.issuance import Certificate, CertificateStatus
from dapp.models.reservations import Reservation, ReservationDevice
from dapp.reservations.errors import ReservationNotFound
from dapp.reservations.schemas import ReservationQuery, ReservationStatusFilter


@dataclass
class Figures:
    """What a reservation row shows besides the reservation itself."""

    device_ids: list[uuid.UUID] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    off_takers: list[str] = field(default_factory=list)
    sdg_benefits: list[str] = field(default_factory=list)
    issued_wh: int = 0
    requested_wh: int = 0

    def issued_percent(self, target_wh: int | None) -> Decimal | None:
        if not target_wh:
            return None
        return (Decimal(self.issued_wh) * 100 / Decimal(target_wh)).quantize(Decimal("0.01"))


def get(session: Session, actor: Actor, reservation_id: uuid.UUID, *, for_update: bool = False) -> Reservation:
    """The actor's organization's reservation; another organization's (or a deleted one) is 'not found'."""
    statement = select(Reservation).where(
        Reservation.id == reservation_id,
        Reservation.buyer_organization_id == actor.organization_id,
        Reservation.deleted_at.is_(None),
    )
    reservation = session.scalar(statement.with_for_update() if for_update else statement)
    if reservation is None:
        raise ReservationNotFound()
    return reservation


def list_page(
    session: Session, actor: Actor, now: datetime, query: ReservationQuery
) -> tuple[list[tuple[Reservation, Figures]], int]:
    """The organization's reservations matching `query`, newest first, with their figures."""
    scope = _filtered(actor.organization_id, now, query)
    total = session.scalar(select(func.count()).select_from(scope.subquery())) or 0
    reservations = list(
        session.scalars(
            scope.order_by(Reservation.created_at.desc(), Reservation.id)
            .limit(query.size)
            .offset((query.page - 1) * query.size)
        )
    )
    figures = figures_of(session, [r.id for r in reservations])
    return [(r, figures[r.id]) for r in reservations], total


def _filtered(organization_id: uuid.UUID, now: datetime, query: ReservationQuery) -> Select[tuple[Reservation]]:
    end = func.least(Reservation.period_end, func.coalesce(Reservation.ended_at, Reservation.period_end))
    conditions: list[Any] = [Reservation.buyer_organization_id == organization_id, Reservation.deleted_at.is_(None)]
    conditions += {
        ReservationStatusFilter.ALL: [],
        ReservationStatusFilter.ACTIVE: [Reservation.period_start <= now, end > now],
        ReservationStatusFilter.UPCOMING: [Reservation.period_start > now, end > now],
        ReservationStatusFilter.ENDED: [end <= now],
    }[query.status]
    if query.date_from is not None:
        conditions.append(end > datetime.combine(query.date_from, time(), UTC))
    if query.date_to is not None:
        conditions.append(Reservation.period_start < datetime.combine(query.date_to + timedelta(days=1), time(), UTC))
    device_filters = {
        Device.country_code: query.country,
        Device.fuel_code: query.fuel,
        Device.off_taker: query.off_taker,
    }
    conditions += [_has_device(column.in_(values)) for column, values in device_filters.items() if values]
    if query.sdg:
        conditions.append(_has_device(Device.sdg_benefits.overlap(query.sdg)))
    return select(Reservation).where(*conditions)


def _has_device(condition: Any) -> Any:
    return exists().where(
        and_(
            ReservationDevice.reservation_id == Reservation.id,
            ReservationDevice.removed_at.is_(None),
            Device.id == ReservationDevice.device_id,
            condition,
        )
    )


def figures_of(session: Session, reservation_ids: list[uuid.UUID]) -> dict[uuid.UUID, Figures]:
    """Devices (not removed), their countries, off-takers and SDGs, and issued volumes, per reservation."""
    figures: dict[uuid.UUID, Figures] = defaultdict(Figures)
    if not reservation_ids:
        return figures
    members = session.execute(
        select(
            ReservationDevice.reservation_id,
            ReservationDevice.device_id,
            Device.country_code,
            Device.off_taker,
            Device.sdg_benefits,
        )
        .join(Device, Device.id == ReservationDevice.device_id)
        .where(ReservationDevice.reservation_id.in_(reservation_ids), ReservationDevice.removed_at.is_(None))
        .order_by(ReservationDevice.device_id)
    )
    collected: dict[uuid.UUID, tuple[set[str], set[str], set[str]]] = defaultdict(lambda: (set(), set(), set()))
    for reservation_id, device_id, country, off_taker, sdgs in members:
        figures[reservation_id].device_ids.append(device_id)
        countries, off_takers, sdg_codes = collected[reservation_id]
        countries.add(country)
        off_takers.update([off_taker] if off_taker else [])
        sdg_codes.update(sdgs or [])
    for reservation_id, (countries, off_takers, sdg_codes) in collected.items():
        figures[reservation_id].countries = sorted(countries)
        figures[reservation_id].off_takers = sorted(off_takers)
        figures[reservation_id].sdg_benefits = sorted(sdg_codes, key=lambda code: int(code.removeprefix("SDG")))
    _add_volumes(session, reservation_ids, figures)
    return figures


def _add_volumes(session: Session, reservation_ids: list[uuid.UUID], figures: dict[uuid.UUID, Figures]) -> None:
    rows = session.execute(
        select(
            Certificate.reservation_id,
            func.coalesce(func.sum(Certificate.volume_wh).filter(Certificate.status == CertificateStatus.MINTED), 0),
            func.sum(Certificate.volume_wh),
        )
        .where(Certificate.reservation_id.in_(reservation_ids))
        .group_by(Certificate.reservation_id)
    )
    for reservation_id, issued, requested in rows:
        figures[reservation_id].issued_wh = int(issued)
        figures[reservation_id].requested_wh = int(requested)


def members_with_devices(session: Session, reservation: Reservation) -> list[tuple[ReservationDevice, Device]]:
    """Every membership of the reservation (removed ones too) with its device, by external id."""
    return list(
        session.execute(
            select(ReservationDevice, Device)
            .join(Device, Device.id == ReservationDevice.device_id)
            .where(ReservationDevice.reservation_id == reservation.id)
            .order_by(Device.external_id, ReservationDevice.active_from)
        ).tuples()
    )


def certificates(session: Session, actor: Actor, reservation_id: uuid.UUID) -> list[Certificate]:
    """The certificates issued for one of the organization's reservations, newest window first."""
    reservation = get(session, actor, reservation_id)
    return list(
        session.scalars(
            select(Certificate)
            .where(Certificate.reservation_id == reservation.id)
            .options(selectinload(Certificate.contributions))
            .order_by(Certificate.window_start.desc(), Certificate.country_code)
        )
    )


def membership_state(member: ReservationDevice, now: datetime) -> str:
    """upcoming, active, leaving (removal pending), removed or released."""
    if member.released_at is not None:
        return "released"
    if member.active_until <= now:
        return "removed" if member.removed_at is not None else "ended"
    if member.removed_at is not None:
        return "leaving"
    return "upcoming" if now < member.active_from else "active"
