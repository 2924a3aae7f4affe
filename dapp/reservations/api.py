"""/api/v1 routes of reservations, the device catalogue and developers' reserved devices."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import request

from dapp import platform
from dapp.accounts.permissions import Module, Permission
from dapp.issuance.schemas import CertificateRead
from dapp.notify.jobs import enqueue_email_delivery
from dapp.reservations import service
from dapp.reservations.models import Reservation
from dapp.reservations.params import parse_query
from dapp.reservations.schemas import (
    CatalogueDevice,
    CatalogueGroup,
    CatalogueGroups,
    CatalogueQuery,
    DeviceReservationRead,
    EnergyOutlook,
    Estimate,
    EstimateRequest,
    LogEntryRead,
    ReleaseRead,
    ReservationCreate,
    ReservationCreated,
    ReservationDetail,
    ReservationEnd,
    ReservationPage,
    ReservationPatch,
    ReservationQuery,
    ReservationRead,
    ReservationSummary,
    ReservedDeviceRead,
    UnavailableDevice,
)
from dapp.reservations.service.catalogue import Outlook, check_codes
from dapp.reservations.service.listing import Figures, members_with_devices, membership_state
from dapp.reservations.service.log import LogEntry, entries
from dapp.web.api import ApiBlueprint, Call

api = ApiBlueprint("reservations_api", __name__)


def _default_yield() -> Decimal:
    return Decimal(platform.current().settings.default_yield_kwh_per_kwp)


@api.endpoint_route("/device-catalogue", "GET", module=Module.RESERVATIONS, permission=Permission.READ)
def device_catalogue(call: Call) -> list[dict[str, Any]]:
    """Reservable devices of every developer, filtered (attributes only, never meter data); one page (`page`,
    `size`), in the order of `group_by`."""
    query = parse_query(CatalogueQuery, request.args)
    rows = service.devices_page(call.session, call.now, query, _default_yield())
    return [catalogue_device(device, name, wh).model_dump(mode="json") for device, name, wh in rows]


def catalogue_device(device: Any, organization_name: str, expected_wh: int) -> CatalogueDevice:
    fields = {name: getattr(device, name, None) for name in CatalogueDevice.model_fields}
    return CatalogueDevice.model_validate(
        {**fields, "organization_name": organization_name, "expected_annual_wh": expected_wh}
    )


@api.endpoint_route(
    "/device-catalogue/groups",
    "GET",
    module=Module.RESERVATIONS,
    permission=Permission.READ,
    response=CatalogueGroups,
)
def catalogue_groups(call: Call) -> CatalogueGroups:
    """The filtered catalogue grouped by `group_by` across organizations (no groups without it), with the expected
    energy of each group and of the whole selection and, given `start`, `end` and `target_volume_mwh`, whether the
    target is reachable in that period."""
    query = parse_query(CatalogueQuery, request.args)
    groups, total = service.groups(call.session, call.now, query, _default_yield())
    return CatalogueGroups(
        groups=[CatalogueGroup(key=g.key, label=g.label, **_outlook(g.outlook)) for g in groups],
        total=EnergyOutlook(**_outlook(total)),
    )


def _outlook(outlook: Outlook) -> dict[str, Any]:
    return {**outlook.__dict__, "reachable": outlook.reachable}


@api.endpoint_route(
    "/device-catalogue/estimate",
    "POST",
    module=Module.RESERVATIONS,
    permission=Permission.READ,
    body=EstimateRequest,
    response=Estimate,
)
def estimate_selection(call: Call) -> Estimate:
    """Expected energy of a selection of devices, next to a target in a period."""
    body: EstimateRequest = call.body
    period = (body.start, body.end) if body.start and body.end else None
    outlook, missing = service.estimate(
        call.session, call.now, set(body.device_ids), period, body.target_volume_mwh, _default_yield()
    )
    return Estimate(**_outlook(outlook), unavailable_device_ids=sorted(missing, key=str))


@api.endpoint_route(
    "/reservations",
    "POST",
    module=Module.RESERVATIONS,
    permission=Permission.WRITE,
    body=ReservationCreate,
    response=ReservationCreated,
    status=201,
)
def create_reservation(call: Call) -> ReservationCreated:
    """Reserve devices (all or nothing unless `allow_partial`); logged on chain, developers notified."""
    created = service.create(call.session, call.actor, call.now, call.body)
    call.after_commit.append(enqueue_email_delivery)
    read = reservation_read(call, created.reservation)
    left_out = [UnavailableDevice(device_id=d, reason=r, available_at=at) for d, r, at in created.left_out]
    return ReservationCreated(**read.model_dump(), unavailable_devices=left_out)


@api.endpoint_route(
    "/reservations", "GET", module=Module.RESERVATIONS, permission=Permission.READ, response=ReservationPage
)
def list_reservations(call: Call) -> ReservationPage:
    """My reservations, newest first; filters: country, fuel, off_taker, sdg, status, date_from, date_to."""
    query = parse_query(ReservationQuery, request.args)
    check_codes(query)
    now = call.now
    rows, total = service.list_page(call.session, call.actor, now, query)
    return ReservationPage(
        items=[summary(r, figures, now) for r, figures in rows], page=query.page, size=query.size, total=total
    )


def summary(reservation: Reservation, figures: Figures, now: datetime) -> ReservationSummary:
    return ReservationSummary(
        id=reservation.id,
        name=reservation.name,
        status=reservation.status(now),
        period_start=reservation.period_start,
        period_end=reservation.period_end,
        ended_at=reservation.ended_at,
        frequency=reservation.frequency,
        standard=reservation.standard,
        target_wh=reservation.target_wh,
        issued_wh=figures.issued_wh,
        requested_wh=figures.requested_wh,
        issued_percent=figures.issued_percent(reservation.target_wh),
        device_count=len(figures.device_ids),
        countries=figures.countries,
        off_takers=figures.off_takers,
        sdg_benefits=figures.sdg_benefits,
    )


def reservation_read(call: Call, reservation: Reservation) -> ReservationRead:
    call.session.flush()
    figures = service.figures_of(call.session, [reservation.id])[reservation.id]
    return ReservationRead(
        **summary(reservation, figures, call.now).model_dump(),
        timezone=reservation.timezone,
        authority_to_exceed=reservation.authority_to_exceed,
        wallet_address=reservation.wallet_address,
        issued_until=reservation.issued_until,
        created_at=reservation.created_at,
        device_ids=figures.device_ids,
    )


@api.endpoint_route(
    "/reservations/<uuid:reservation_id>",
    "GET",
    module=Module.RESERVATIONS,
    permission=Permission.READ,
    response=ReservationDetail,
)
def get_reservation(call: Call, reservation_id: uuid.UUID) -> ReservationDetail:
    """One reservation: header, devices (with their membership) and its log with the transaction of each change."""
    reservation = service.get(call.session, call.actor, reservation_id)
    return ReservationDetail(
        **reservation_read(call, reservation).model_dump(),
        devices=_devices_read(call, reservation),
        log=[_log_entry(e) for e in entries(call.session, reservation)],
    )


def _devices_read(call: Call, reservation: Reservation) -> list[ReservedDeviceRead]:
    now = call.now
    return [
        ReservedDeviceRead(
            device_id=device.id,
            **{name: getattr(device, name) for name in DEVICE_FIELDS},
            **{name: getattr(member, name) for name in MEMBER_FIELDS},
            state=membership_state(member, now),
        )
        for member, device in members_with_devices(call.session, reservation)
    ]


def _log_entry(entry: LogEntry) -> LogEntryRead:
    change = entry.change
    return LogEntryRead(
        kind=change.kind,
        created_at=change.created_at,
        document=change.document,
        ended_at=change.ended_at,
        **{name: getattr(entry, name) for name in LOG_FIELDS},
    )


DEVICE_FIELDS = (
    "external_id",
    "project_name",
    "onboarded_at",
    "country_code",
    "capacity_kw",
    "off_taker",
    "device_type_code",
    "commissioning_date",
    "sdg_benefits",
)
MEMBER_FIELDS = ("active_from", "active_until", "removed_at", "released_at")
LOG_FIELDS = ("devices_cid", "devices_hash", "chain_status", "tx_hash", "block_number", "last_error")


@api.endpoint_route(
    "/reservations/<uuid:reservation_id>",
    "PATCH",
    module=Module.RESERVATIONS,
    permission=Permission.UPDATE,
    body=ReservationPatch,
    response=ReservationRead,
)
def change_reservation_devices(call: Call, reservation_id: uuid.UUID) -> ReservationRead:
    """Add devices (from now) or remove them (at the end of the current issuance window); frequency is fixed."""
    reservation = service.change_devices(call.session, call.actor, call.now, reservation_id, call.body)
    call.after_commit.append(enqueue_email_delivery)
    return reservation_read(call, reservation)


@api.endpoint_route(
    "/reservations/<uuid:reservation_id>",
    "DELETE",
    module=Module.RESERVATIONS,
    permission=Permission.DELETE,
    response=ReservationEnd,
)
def end_reservation(call: Call, reservation_id: uuid.UUID) -> ReservationEnd:
    """Delete a reservation that issued nothing; otherwise end it at the end of the current issuance window."""
    ending = service.end(call.session, call.actor, call.now, reservation_id)
    call.after_commit.append(enqueue_email_delivery)
    return ReservationEnd(
        id=ending.reservation.id, outcome="deleted" if ending.deleted else "ended", ended_at=ending.ended_at
    )


@api.endpoint_route(
    "/reservations/<uuid:reservation_id>/certificates",
    "GET",
    module=Module.RESERVATIONS,
    permission=Permission.READ,
)
def reservation_certificates(call: Call, reservation_id: uuid.UUID) -> list[dict[str, Any]]:
    """The certificates issued for one reservation, with per-device contributions."""
    return [
        CertificateRead.model_validate(c).model_dump(mode="json")
        for c in service.certificates(call.session, call.actor, reservation_id)
    ]


@api.endpoint_route("/reserved-devices", "GET", module=Module.DEVICES, permission=Permission.READ)
def reserved_devices(call: Call) -> list[dict[str, Any]]:
    """For developers: their devices held by a buyer's reservation, and whether a manual release is allowed."""
    return [
        device_reservation(row).model_dump(mode="json")
        for row in service.reservations_of_my_devices(call.session, call.actor, call.now)
    ]


def device_reservation(row: Any) -> DeviceReservationRead:
    return DeviceReservationRead(
        device_id=row.device.id,
        external_id=row.device.external_id,
        reservation_id=row.reservation.id,
        reservation_name=row.reservation.name,
        buyer_name=row.buyer_name,
        active_from=row.member.active_from,
        active_until=row.member.active_until,
        released_at=row.member.released_at,
        state=row.state,
        manual_release_allowed=row.manual_release_allowed,
        reservable_again_at=row.reservable_again_at,
    )


@api.endpoint_route(
    "/reserved-devices/<uuid:device_id>/release",
    "POST",
    module=Module.DEVICES,
    permission=Permission.UPDATE | Permission.DELETE,
    response=ReleaseRead,
)
def release_device(call: Call, device_id: uuid.UUID) -> ReleaseRead:
    """Release one of your devices by hand, allowed only when its automatic release failed."""
    return _release(call, device_id)


@api.endpoint_route(
    "/admin/reserved-devices/<uuid:device_id>/release", "POST", platform_admin=True, response=ReleaseRead
)
def admin_release_device(call: Call, device_id: uuid.UUID) -> ReleaseRead:
    """Platform admin: release any device whose automatic release failed."""
    return _release(call, device_id)


def _release(call: Call, device_id: uuid.UUID) -> ReleaseRead:
    now = call.now
    members = service.release_by_hand(call.session, call.actor, now, device_id)
    call.after_commit.append(enqueue_email_delivery)
    return ReleaseRead(
        device_id=device_id, released_at=now, reservation_ids=sorted({m.reservation_id for m in members}, key=str)
    )
