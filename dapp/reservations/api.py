"""/api/v1 routes of reservations, the device catalogue and developers' reserved devices."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import request

from dapp import platform
from dapp.access.permissions import Actor, Module, Permission, PlatformAdmin
from dapp.accounts.errors import NotABuyer
from dapp.devices.errors import DeviceNotFound
from dapp.errors import InvalidFilter
from dapp.models.reservations import Reservation
from dapp.reservations.errors import (
    DEVICE_CHANGE_REFUSALS,
    AutomaticReleasePending,
    CooldownActive,
    DeviceInActiveReservation,
    DeviceNotReserved,
    DevicesNotIrecApproved,
    DevicesUnavailable,
    NothingToChange,
    ReservationEnded,
    ReservationNameTaken,
    ReservationNotFound,
)
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
from dapp.reservations.service import catalogue, changes, creation, ending, listing, release
from dapp.reservations.service.catalogue import Outlook, check_codes
from dapp.reservations.service.listing import Figures, members_with_devices, membership_state
from dapp.reservations.service.log import LogEntry, entries
from dapp.web.api import AdminCall, ApiBlueprint, Call, MemberCall

api = ApiBlueprint("reservations_api", __name__)


def _default_yield() -> Decimal:
    return Decimal(platform.current().settings.default_yield_kwh_per_kwp)


@api.member_route(
    "/device-catalogue", "GET", Module.RESERVATIONS, Permission.READ, query=CatalogueQuery, errors=(InvalidFilter,)
)
def device_catalogue(call: MemberCall[None]) -> list[dict[str, Any]]:
    """Reservable devices of every developer, filtered (attributes only, never meter data); one page (`page`,
    `size`), in the order of `group_by`."""
    query = parse_query(CatalogueQuery, request.args)
    rows = catalogue.devices_page(call.session, call.now, query, _default_yield())
    return [catalogue_device(device, name, wh).model_dump(mode="json") for device, name, wh in rows]


def catalogue_device(device: Any, organization_name: str, expected_wh: int) -> CatalogueDevice:
    fields = {name: getattr(device, name, None) for name in CatalogueDevice.model_fields}
    return CatalogueDevice.model_validate(
        {**fields, "organization_name": organization_name, "expected_annual_wh": expected_wh}
    )


@api.member_route(
    "/device-catalogue/groups",
    "GET",
    Module.RESERVATIONS,
    Permission.READ,
    query=CatalogueQuery,
    response=CatalogueGroups,
    errors=(InvalidFilter,),
)
def catalogue_groups(call: MemberCall[None]) -> CatalogueGroups:
    """The filtered catalogue grouped by `group_by` across organizations (no groups without it), with the expected
    energy of each group and of the whole selection and, given `start`, `end` and `target_volume_mwh`, whether the
    target is reachable in that period."""
    query = parse_query(CatalogueQuery, request.args)
    groups, total = catalogue.groups(call.session, call.now, query, _default_yield())
    return CatalogueGroups(
        groups=[CatalogueGroup(key=g.key, label=g.label, **_outlook(g.outlook)) for g in groups],
        total=EnergyOutlook(**_outlook(total)),
    )


def _outlook(outlook: Outlook) -> dict[str, Any]:
    return {**outlook.__dict__, "reachable": outlook.reachable}


@api.member_route(
    "/device-catalogue/estimate", "POST", Module.RESERVATIONS, Permission.READ, body=EstimateRequest, response=Estimate
)
def estimate_selection(call: MemberCall[EstimateRequest]) -> Estimate:
    """Expected energy of a selection of devices, next to a target in a period."""
    body: EstimateRequest = call.body
    period = (body.start, body.end) if body.start and body.end else None
    outlook, missing = catalogue.estimate(
        call.session, call.now, set(body.device_ids), period, body.target_volume_mwh, _default_yield()
    )
    return Estimate(**_outlook(outlook), unavailable_device_ids=sorted(missing, key=str))


@api.member_route(
    "/reservations",
    "POST",
    Module.RESERVATIONS,
    Permission.WRITE,
    body=ReservationCreate,
    response=ReservationCreated,
    status=201,
    errors=(CooldownActive, DevicesNotIrecApproved, DevicesUnavailable, NotABuyer, ReservationNameTaken),
)
def create_reservation(call: MemberCall[ReservationCreate]) -> ReservationCreated:
    """Reserve devices (all or nothing unless `allow_partial`); logged on chain, developers notified."""
    created = creation.create(call.session, call.actor, call.now, call.body)
    read = reservation_read(call, created.reservation)
    left_out = [UnavailableDevice(device_id=d, reason=r, available_at=at) for d, r, at in created.left_out]
    return ReservationCreated(**read.model_dump(), unavailable_devices=left_out)


@api.member_route(
    "/reservations",
    "GET",
    Module.RESERVATIONS,
    Permission.READ,
    query=ReservationQuery,
    response=ReservationPage,
    errors=(InvalidFilter,),
)
def list_reservations(call: MemberCall[None]) -> ReservationPage:
    """My reservations, newest first; filters: country, fuel, off_taker, sdg, status, date_from, date_to."""
    query = parse_query(ReservationQuery, request.args)
    check_codes(query)
    now = call.now
    rows, total = listing.list_page(call.session, call.actor, now, query)
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


def reservation_read(call: MemberCall[Any], reservation: Reservation) -> ReservationRead:
    call.session.flush()
    figures = listing.figures_of(call.session, [reservation.id])[reservation.id]
    return ReservationRead(
        **summary(reservation, figures, call.now).model_dump(),
        timezone=reservation.timezone,
        authority_to_exceed=reservation.authority_to_exceed,
        wallet_address=reservation.wallet_address,
        issued_until=reservation.issued_until,
        created_at=reservation.created_at,
        device_ids=figures.device_ids,
    )


@api.member_route(
    "/reservations/<uuid:reservation_id>",
    "GET",
    Module.RESERVATIONS,
    Permission.READ,
    response=ReservationDetail,
    errors=(ReservationNotFound,),
)
def get_reservation(call: MemberCall[None], reservation_id: uuid.UUID) -> ReservationDetail:
    """One reservation: header, devices (with their membership) and its log with the transaction of each change."""
    reservation = listing.get(call.session, call.actor, reservation_id)
    return ReservationDetail(
        **reservation_read(call, reservation).model_dump(),
        devices=_devices_read(call, reservation),
        log=[_log_entry(e) for e in entries(call.session, reservation)],
    )


def _devices_read(call: MemberCall[Any], reservation: Reservation) -> list[ReservedDeviceRead]:
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


@api.member_route(
    "/reservations/<uuid:reservation_id>",
    "PATCH",
    Module.RESERVATIONS,
    Permission.UPDATE,
    body=ReservationPatch,
    response=ReservationRead,
    errors=(
        CooldownActive,
        DevicesNotIrecApproved,
        DevicesUnavailable,
        NothingToChange,
        ReservationEnded,
        ReservationNotFound,
        *DEVICE_CHANGE_REFUSALS.values(),
    ),
)
def change_reservation_devices(call: MemberCall[ReservationPatch], reservation_id: uuid.UUID) -> ReservationRead:
    """Add devices (from now) or remove them (at the end of the current issuance window); frequency is fixed."""
    reservation = changes.change_devices(call.session, call.actor, call.now, reservation_id, call.body)
    return reservation_read(call, reservation)


@api.member_route(
    "/reservations/<uuid:reservation_id>",
    "DELETE",
    Module.RESERVATIONS,
    Permission.DELETE,
    response=ReservationEnd,
    errors=(ReservationEnded, ReservationNotFound),
)
def end_reservation(call: MemberCall[None], reservation_id: uuid.UUID) -> ReservationEnd:
    """Delete a reservation that issued nothing; otherwise end it at the end of the current issuance window."""
    ended = ending.end(call.session, call.actor, call.now, reservation_id)
    return ReservationEnd(
        id=ended.reservation.id, outcome="deleted" if ended.deleted else "ended", ended_at=ended.ended_at
    )


@api.member_route("/reserved-devices", "GET", Module.DEVICES, Permission.READ)
def reserved_devices(call: MemberCall[None]) -> list[dict[str, Any]]:
    """For developers: their devices held by a buyer's reservation, and whether a manual release is allowed."""
    return [
        device_reservation(row).model_dump(mode="json")
        for row in release.reservations_of_my_devices(call.session, call.actor, call.now)
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


@api.member_route(
    "/reserved-devices/<uuid:device_id>/release",
    "POST",
    Module.DEVICES,
    Permission.UPDATE | Permission.DELETE,
    response=ReleaseRead,
    errors=(AutomaticReleasePending, DeviceInActiveReservation, DeviceNotFound, DeviceNotReserved),
)
def release_device(call: MemberCall[None], device_id: uuid.UUID) -> ReleaseRead:
    """Release one of your devices by hand, allowed only when its automatic release failed."""
    return _release(call, device_id)


@api.admin_route(
    "/admin/reserved-devices/<uuid:device_id>/release",
    "POST",
    response=ReleaseRead,
    errors=(AutomaticReleasePending, DeviceInActiveReservation, DeviceNotFound, DeviceNotReserved),
)
def admin_release_device(call: AdminCall[None], device_id: uuid.UUID) -> ReleaseRead:
    """Platform admin: release any device whose automatic release failed."""
    return _release(call, device_id)


def _release(call: Call[Actor | PlatformAdmin, None], device_id: uuid.UUID) -> ReleaseRead:
    now = call.now
    members = release.release_by_hand(call.session, call.actor, now, device_id)
    return ReleaseRead(
        device_id=device_id, released_at=now, reservation_ids=sorted({m.reservation_id for m in members}, key=str)
    )
