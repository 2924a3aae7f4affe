"""Notices of a certified window (R-RES-7): developers learn their devices' energy was certified, the buyer that
its certificates arrived. Times are the window's, in UTC and in the reservation's zone, never the run's."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp.models.accounts import Organization
from dapp.models.devices import Device
from dapp.models.issuance import Certificate, CertificateContribution
from dapp.models.notify import NotificationKind
from dapp.models.reservations import Reservation
from dapp.notify import service as notify


def window_certified(
    session: Session, reservation: Reservation, certificates: list[Certificate], now: datetime
) -> None:
    if not certificates:
        return
    first = certificates[0]
    span = _span(first.window_start, first.window_end, reservation.timezone)
    late = " (late reads)" if first.issuance_round else ""
    buyer = session.get_one(Organization, reservation.buyer_organization_id).name
    rows = session.execute(
        select(
            Device.organization_id, func.count(func.distinct(Device.id)), func.sum(CertificateContribution.energy_wh)
        )
        .join(Device, Device.id == CertificateContribution.device_id)
        .where(CertificateContribution.certificate_id.in_([c.id for c in certificates]))
        .group_by(Device.organization_id)
    )
    for organization_id, devices, energy in rows:
        notify.notify(
            session,
            organization_id,
            NotificationKind.ENERGY_CERTIFIED,
            f"{_wh(energy)} of your devices' energy certified",
            f"{_wh(energy)} from {devices} of your devices was certified{late} for {buyer}'s reservation "
            f"'{reservation.name}', window {span}.",
            now,
        )
    total = sum(c.volume_wh for c in certificates)
    notify.notify(
        session,
        reservation.buyer_organization_id,
        NotificationKind.CERTIFICATES_ARRIVED,
        f"{len(certificates)} certificate(s) issued: {_wh(total)}",
        f"Your reservation '{reservation.name}' received {len(certificates)} certificate(s){late} of {_wh(total)} "
        f"for the window {span}; they are minted on chain within minutes.",
        now,
    )


def _span(start: datetime, end: datetime, timezone: str) -> str:
    zone = ZoneInfo(timezone)
    utc = f"{start.astimezone(UTC):%Y-%m-%d %H:%M} – {end.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    if timezone == "UTC":
        return utc
    local = f"{start.astimezone(zone):%Y-%m-%d %H:%M} – {end.astimezone(zone):%Y-%m-%d %H:%M} {timezone}"
    return f"{local} ({utc})"


def _wh(energy: int) -> str:
    return f"{energy / 1000:,.3f} kWh" if energy >= 1000 else f"{energy} Wh"
