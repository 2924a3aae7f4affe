"""/api/v1 routes of I-REC conversion: developers' device groups, the platform's registration of them."""

import uuid

from sqlalchemy.orm import Session

from dapp import platform
from dapp.access.permissions import Module, Permission
from dapp.irec.errors import (
    CertificateEnergyRequested,
    CertificateNotIrecIssued,
    CertificateNotProvisional,
    DeviceGroupNotFound,
    DevicesInRegisteredGroup,
    DevicesNotFound,
    GroupAlreadySubmitted,
    GroupEmpty,
    GroupMixesCountriesOrFuels,
    IrecCertificateNotFound,
    IssueRequestNotFound,
    IssueRequestNotRetryable,
    RedemptionNotFound,
    RedemptionOrClaimExists,
)
from dapp.irec.presenters import conversion_read, provisional_read, redemption_read, request_read
from dapp.irec.schemas import (
    DeviceGroupList,
    DeviceGroupRead,
    IssueRequestList,
    IssueRequestRead,
    ProvisionalCertificateList,
    ProvisionalCertificateRead,
    RedemptionCreate,
    RedemptionRead,
    RedemptionStatementRead,
    Regroup,
    ReservationConversionRead,
)
from dapp.irec.service import conversion, groups, redemption, registration, release, statement, status
from dapp.issuance.errors import (
    CertificateNotFound,
    CertificateNotMinted,
    CertificateNotOwned,
    CertificateRevoked,
    ExternalWallet,
)
from dapp.models.irec import IrecDeviceGroup
from dapp.reservations.errors import ReservationNotFound
from dapp.web.api import AdminCall, ApiBlueprint, MemberCall

api = ApiBlueprint("irec_api", __name__)


@api.member_route("/irec/device-groups", "GET", Module.DEVICES, Permission.READ, response=DeviceGroupList)
def list_device_groups(call: MemberCall[None]) -> DeviceGroupList:
    """The organization's I-REC device groups with their devices and registration status (R-IREC-0, R-IREC-4)."""
    views = groups.list_groups(call.session, call.actor.organization_id, call.now)
    return DeviceGroupList(items=[DeviceGroupRead.of(view) for view in views])


@api.member_route(
    "/irec/device-groups",
    "POST",
    Module.DEVICES,
    Permission.UPDATE,
    body=Regroup,
    response=DeviceGroupRead,
    errors=(DevicesInRegisteredGroup, DevicesNotFound, GroupMixesCountriesOrFuels),
)
def regroup_devices(call: MemberCall[Regroup]) -> DeviceGroupRead:
    """Move devices into the named group (made if new); groups left empty and never submitted disappear."""
    group = groups.regroup(call.session, call.actor, call.now, call.body.name, call.body.device_ids)
    return _read(call, group.organization_id, group.id)


@api.admin_route("/admin/irec/device-groups", "GET", response=DeviceGroupList)
def list_all_device_groups(call: AdminCall[None]) -> DeviceGroupList:
    """Every organization's device groups and their registration status (the registry queue)."""
    return DeviceGroupList(
        items=[DeviceGroupRead.of(view) for view in groups.list_groups(call.session, None, call.now)]
    )


@api.admin_route(
    "/admin/irec/device-groups/<uuid:group_id>/submit",
    "POST",
    response=DeviceGroupRead,
    errors=(DeviceGroupNotFound, GroupAlreadySubmitted, GroupEmpty),
)
def submit_device_group(call: AdminCall[None], group_id: uuid.UUID) -> DeviceGroupRead:
    """Submit a group for registration at the I-REC registry (again, after a rejection)."""
    group = registration.submit(call.session, call.actor, call.now, group_id)
    return _read(call, group.organization_id, group.id)


def _read(
    call: AdminCall[None] | MemberCall[Regroup], organization_id: uuid.UUID, group_id: uuid.UUID
) -> DeviceGroupRead:
    view = next(v for v in groups.list_groups(call.session, organization_id, call.now) if v.group.id == group_id)
    return DeviceGroupRead.of(view)


@api.member_route(
    "/irec/reservations/<uuid:reservation_id>/conversion",
    "GET",
    Module.RESERVATIONS,
    Permission.READ,
    response=ReservationConversionRead,
    errors=(ReservationNotFound,),
)
def reservation_conversion(call: MemberCall[None], reservation_id: uuid.UUID) -> ReservationConversionRead:
    """I-REC conversion of a reservation: each certificate's status and serials, each group's minted, requested,
    approved and carried Wh (R-IREC-1, R-IREC-2)."""
    conversion = status.reservation_conversion(call.session, call.actor, call.now, reservation_id)
    return conversion_read(reservation_id, conversion)


@api.admin_route("/admin/irec/issue-requests", "GET", response=IssueRequestList)
def list_issue_requests(call: AdminCall[None]) -> IssueRequestList:
    """The newest I-REC issue requests with their decisions (rejections and serial conflicts need an admin)."""
    return IssueRequestList(items=[request_read(r, g) for r, g in status.issue_requests(call.session)])


@api.admin_route(
    "/admin/irec/issue-requests/<uuid:request_id>/retry",
    "POST",
    response=IssueRequestRead,
    errors=(IssueRequestNotFound, IssueRequestNotRetryable),
)
def retry_issue_request(call: AdminCall[None], request_id: uuid.UUID) -> IssueRequestRead:
    """Send a rejected (or conflicting) issue request again: the same Wh, a new round and client key."""
    request = conversion.retry(call.session, call.actor, call.now, request_id)
    return request_read(request, call.session.get_one(IrecDeviceGroup, request.group_id))


@api.admin_route("/admin/irec/certificates", "GET", response=ProvisionalCertificateList)
def list_provisional_certificates(call: AdminCall[None]) -> ProvisionalCertificateList:
    """Certificates of I-REC reservations still provisional (or rejected), which an admin may release as D-REC,
    and those released."""
    rows = status.provisional_certificates(call.session)
    return ProvisionalCertificateList(items=[provisional_read(row) for row in rows])


@api.admin_route(
    "/admin/irec/certificates/<uuid:certificate_id>/release",
    "POST",
    response=ProvisionalCertificateRead,
    status=202,
    errors=(IrecCertificateNotFound, CertificateNotProvisional, CertificateEnergyRequested),
)
def release_certificate(call: AdminCall[None], certificate_id: uuid.UUID) -> ProvisionalCertificateRead:
    """Release a provisional certificate to its buyer as plain D-REC (after a rejection, or a remainder that makes
    no whole MWh): every Wh of it not in an approved request, once, never while some of it waits at the registry.
    Rejected requests holding its Wh are withdrawn; the release goes on chain through the outbox (ADR 0110)."""
    release.release(call.session, call.actor, platform.current().content, call.now, certificate_id)
    [row] = status.provisional_certificates(call.session, certificate_id)
    return provisional_read(row)


@api.member_route(
    "/irec/certificates/<uuid:certificate_id>/redemption",
    "POST",
    Module.CERTIFICATES,
    Permission.WRITE,
    body=RedemptionCreate,
    response=RedemptionRead,
    status=202,
    errors=(
        CertificateNotFound, CertificateNotMinted, CertificateNotOwned, CertificateRevoked, ExternalWallet,
        CertificateNotIrecIssued, RedemptionOrClaimExists,
    ),
)  # fmt: skip
def redeem_certificate(call: MemberCall[RedemptionCreate], certificate_id: uuid.UUID) -> RedemptionRead:
    """Redeem a certificate as I-REC (R-IREC-3) instead of claiming it as a D-REC: the registry redeems its serials
    for the beneficiary, then the token is burned with the registry's reference. A certificate is used once."""
    row = redemption.request_redemption(call.session, call.actor, call.now, certificate_id, call.body)
    return RedemptionRead.model_validate(row)


@api.member_route(
    "/irec/redemptions/<uuid:redemption_id>",
    "GET",
    Module.CERTIFICATES,
    Permission.READ,
    response=RedemptionStatementRead,
    errors=(RedemptionNotFound,),
)
def get_redemption(call: MemberCall[None], redemption_id: uuid.UUID) -> RedemptionStatementRead:
    """A redemption with the registry's statements and, once redeemed, the signed I-REC redemption statement:
    beneficiary, period, references, serials and whose energy each carries, device group and devices, the
    certificate and the transaction that burned it."""
    return _statement(call.session, call.actor.organization_id, redemption_id)


@api.admin_route(
    "/admin/irec/redemptions/<uuid:redemption_id>",
    "GET",
    response=RedemptionStatementRead,
    errors=(RedemptionNotFound,),
)
def get_any_redemption(call: AdminCall[None], redemption_id: uuid.UUID) -> RedemptionStatementRead:
    """Any organization's redemption and its signed statement (platform admins)."""
    return _statement(call.session, None, redemption_id)


def _statement(
    session: Session, organization_id: uuid.UUID | None, redemption_id: uuid.UUID
) -> RedemptionStatementRead:
    settings = platform.current().settings
    found = statement.view(session, organization_id, redemption_id, settings.base_url, settings.platform_private_key)
    return redemption_read(found)
