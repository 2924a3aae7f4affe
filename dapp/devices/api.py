"""/api/v1 routes of devices (R-DEV), their bulk uploads (R-DEV-7) and projects (R-DEV-8)."""

import uuid

from flask import request

from dapp import platform
from dapp.access.permissions import Module, Permission
from dapp.devices.bulk import csvfile, template
from dapp.devices.bulk import service as bulk
from dapp.devices.errors import (
    FIELD_RULES,
    UPLOAD_REFUSALS,
    DeviceHasCertifiedEnergy,
    DeviceInReservation,
    DeviceInUse,
    DeviceNotFound,
    ExternalIdTaken,
    FileMissing,
    ImageTooLarge,
    NotAnImage,
    ProjectNameTaken,
    ProjectNotFound,
    TooManyImages,
    UploadNotFound,
)
from dapp.devices.schemas import (
    DeviceCreate,
    DeviceListQuery,
    DevicePage,
    DeviceRead,
    DeviceUpdate,
    DeviceUploadPage,
    DeviceUploadRead,
    ProjectCreate,
    ProjectList,
    ProjectRead,
    ProjectUpdate,
    UploadRowPage,
    UploadRowQuery,
    UploadRowRead,
    UploadTemplate,
)
from dapp.devices.service import listing, projects, registry
from dapp.errors import Invalid, InvalidFilter, field_error
from dapp.models.devices import DeviceUpload, DeviceUploadRow, RowStatus
from dapp.web.api import ApiBlueprint, MemberCall
from dapp.web.paging import PageQuery, page_args

api = ApiBlueprint("devices_api", __name__)


@api.member_route(
    "/devices",
    "POST",
    Module.DEVICES,
    Permission.WRITE,
    body=DeviceCreate,
    response=DeviceRead,
    status=201,
    errors=(ExternalIdTaken, *FIELD_RULES),
)
def create_device(call: MemberCall[DeviceCreate]) -> DeviceRead:
    """Register a device."""
    return DeviceRead.model_validate(registry.create(call.session, call.actor, call.now, call.body))


@api.member_route(
    "/devices",
    "GET",
    Module.DEVICES,
    Permission.READ,
    query=DeviceListQuery,
    response=DevicePage,
    errors=(Invalid, InvalidFilter),
)
def list_devices(call: MemberCall[None]) -> DevicePage:
    """The organization's devices: filters (country, device_type, off_taker, capacity_min/max, sdg,
    commissioned_from/to, reservation), sort + order, page + size."""
    page, size = page_args(request.args)
    query = listing.parse_query(request.args)
    devices, total = registry.list_page(call.session, call.actor, page, size, query, call.now)
    return DevicePage(items=[DeviceRead.model_validate(d) for d in devices], page=page, size=size, total=total)


@api.member_route(
    "/devices/<external_id>", "GET", Module.DEVICES, Permission.READ, response=DeviceRead, errors=(DeviceNotFound,)
)
def get_device(call: MemberCall[None], external_id: str) -> DeviceRead:
    """One device by its external id."""
    return DeviceRead.model_validate(registry.get_by_external_id(call.session, call.actor, external_id))


@api.member_route(
    "/devices/<external_id>",
    "PATCH",
    Module.DEVICES,
    Permission.UPDATE,
    body=DeviceUpdate,
    response=DeviceRead,
    errors=(DeviceNotFound, ExternalIdTaken, *FIELD_RULES),
)
def update_device(call: MemberCall[DeviceUpdate], external_id: str) -> DeviceRead:
    """Change some fields of a device (external id, country and commissioning date are fixed once certified)."""
    return DeviceRead.model_validate(registry.update(call.session, call.actor, call.now, external_id, call.body))


@api.member_route(
    "/devices/<external_id>",
    "DELETE",
    Module.DEVICES,
    Permission.DELETE,
    response=DeviceRead,
    errors=(DeviceHasCertifiedEnergy, DeviceInReservation, DeviceInUse, DeviceNotFound),
)
def delete_device(call: MemberCall[None], external_id: str) -> DeviceRead:
    """Delete a device without certified energy; returns what was deleted."""
    device = DeviceRead.model_validate(registry.get_by_external_id(call.session, call.actor, external_id))
    registry.delete_device(call.session, call.actor, call.now, external_id)
    return device


@api.member_route("/device-uploads/template", "GET", Module.BULK_UPLOAD, Permission.READ, response=UploadTemplate)
def upload_template(_call: MemberCall[None]) -> UploadTemplate:
    """The columns of the bulk-upload CSV, which are required and the accepted values."""
    columns = [{**vars(c), "values": [{"value": v, "meaning": m} for v, m in c.values]} for c in template.COLUMNS]
    return UploadTemplate.model_validate(
        {"columns": columns, "max_rows": csvfile.MAX_ROWS, "max_bytes": csvfile.MAX_BYTES}
    )


@api.member_route(
    "/device-uploads",
    "POST",
    Module.BULK_UPLOAD,
    Permission.WRITE,
    upload=("text/csv",),
    response=DeviceUploadRead,
    status=202,
    errors=(FileMissing, Invalid, *UPLOAD_REFUSALS),
)
def create_upload(call: MemberCall[None]) -> DeviceUploadRead:
    """Upload a CSV of devices (multipart field 'file', or a text/csv body); returns the job to follow."""
    name, data = _uploaded_file()
    upload = bulk.start(call.session, call.actor, call.now, platform.current().content, name, data)
    return upload_read(upload, bulk.Counts())


@api.member_route(
    "/device-uploads",
    "GET",
    Module.BULK_UPLOAD,
    Permission.READ,
    query=PageQuery,
    response=DeviceUploadPage,
    errors=(Invalid,),
)
def list_uploads(call: MemberCall[None]) -> DeviceUploadPage:
    """The organization's bulk-upload jobs, newest first."""
    page, size = page_args(request.args)
    uploads, total = bulk.list_page(call.session, call.actor, page, size)
    items = [upload_read(u, bulk.counts(call.session, u.id)) for u in uploads]
    return DeviceUploadPage(items=items, page=page, size=size, total=total)


@api.member_route(
    "/device-uploads/<uuid:upload_id>",
    "GET",
    Module.BULK_UPLOAD,
    Permission.READ,
    response=DeviceUploadRead,
    errors=(UploadNotFound,),
)
def get_upload(call: MemberCall[None], upload_id: uuid.UUID) -> DeviceUploadRead:
    """A bulk-upload job: status, progress (rows done / total) and the count of rows per status."""
    upload = bulk.get(call.session, call.actor, upload_id)
    return upload_read(upload, bulk.counts(call.session, upload.id))


@api.member_route(
    "/device-uploads/<uuid:upload_id>/rows",
    "GET",
    Module.BULK_UPLOAD,
    Permission.READ,
    query=UploadRowQuery,
    response=UploadRowPage,
    errors=(Invalid, UploadNotFound),
)
def list_upload_rows(call: MemberCall[None], upload_id: uuid.UUID) -> UploadRowPage:
    """The job log: per row its number, external id, status and errors (optionally one status only)."""
    upload = bulk.get(call.session, call.actor, upload_id)
    page, size = page_args(request.args, default_size=100)
    rows, total = bulk.log_page(call.session, upload.id, row_status(request.args.get("status")), page, size)
    return UploadRowPage(items=[row_read(r) for r in rows], page=page, size=size, total=total)


@api.member_route("/projects", "GET", Module.DEVICES, Permission.READ, response=ProjectList)
def list_projects(call: MemberCall[None]) -> ProjectList:
    """The organization's projects (device groups with impact story, SDGs and images)."""
    rows = projects.list_projects(call.session, call.actor)
    return ProjectList(items=[ProjectRead.model_validate(p) for p, _ in rows])


@api.member_route(
    "/projects",
    "POST",
    Module.DEVICES,
    Permission.WRITE,
    body=ProjectCreate,
    response=ProjectRead,
    status=201,
    errors=(ProjectNameTaken, *FIELD_RULES),
)
def create_project(call: MemberCall[ProjectCreate]) -> ProjectRead:
    """Create a project; devices join it through their project_id."""
    return ProjectRead.model_validate(projects.create(call.session, call.actor, call.now, call.body))


@api.member_route(
    "/projects/<uuid:project_id>",
    "GET",
    Module.DEVICES,
    Permission.READ,
    response=ProjectRead,
    errors=(ProjectNotFound,),
)
def get_project(call: MemberCall[None], project_id: uuid.UUID) -> ProjectRead:
    """One project."""
    return ProjectRead.model_validate(projects.get(call.session, call.actor, project_id))


@api.member_route(
    "/projects/<uuid:project_id>",
    "PATCH",
    Module.DEVICES,
    Permission.UPDATE,
    body=ProjectUpdate,
    response=ProjectRead,
    errors=(ProjectNameTaken, ProjectNotFound, *FIELD_RULES),
)
def update_project(call: MemberCall[ProjectUpdate], project_id: uuid.UUID) -> ProjectRead:
    """Change a project's name, impact story or SDGs."""
    return ProjectRead.model_validate(
        projects.update_project(call.session, call.actor, call.now, project_id, call.body)
    )


@api.member_route(
    "/projects/<uuid:project_id>",
    "DELETE",
    Module.DEVICES,
    Permission.DELETE,
    response=ProjectRead,
    errors=(ProjectNotFound,),
)
def delete_project(call: MemberCall[None], project_id: uuid.UUID) -> ProjectRead:
    """Delete a project; its devices stay, without a project."""
    project = ProjectRead.model_validate(projects.get(call.session, call.actor, project_id))
    projects.delete_project(call.session, call.actor, call.now, project_id)
    return project


@api.member_route(
    "/projects/<uuid:project_id>/images",
    "POST",
    Module.DEVICES,
    Permission.UPDATE,
    upload=("image/png", "image/jpeg", "image/gif", "image/webp"),
    response=ProjectRead,
    status=201,
    errors=(FileMissing, ImageTooLarge, NotAnImage, ProjectNotFound, TooManyImages),
)
def add_project_image(call: MemberCall[None], project_id: uuid.UUID) -> ProjectRead:
    """Add an image (PNG, JPEG, GIF or WebP body, or multipart field 'file'); it is kept in IPFS by CID."""
    _, data = _uploaded_file()
    projects.add_image(call.session, call.actor, call.now, platform.current().content, project_id, data)
    return ProjectRead.model_validate(projects.get(call.session, call.actor, project_id))


def upload_read(upload: DeviceUpload, counts: bulk.Counts) -> DeviceUploadRead:
    return DeviceUploadRead.model_validate(
        {
            **{name: getattr(upload, name) for name in DeviceUploadRead.model_fields if hasattr(upload, name)},
            "success": counts.success,
            "success_with_errors": counts.partial,
            "failed": counts.failed,
        }
    )


def row_read(row: DeviceUploadRow) -> UploadRowRead:
    return UploadRowRead.model_validate(
        {
            **{n: getattr(row, n) for n in UploadRowRead.model_fields if n != "status_label"},
            "status_label": RowStatus(row.status).label,
        }
    )


def row_status(raw: str | None) -> RowStatus | None:
    if not raw:
        return None
    try:
        return RowStatus(raw)
    except ValueError as error:
        accepted = ", ".join(status.value for status in RowStatus)
        raise field_error("status", f"Status '{raw}' is not accepted; accepted values: {accepted}.") from error


def _uploaded_file() -> tuple[str, bytes]:
    sent = request.files.get("file")
    if sent is not None:
        return sent.filename or "upload", sent.read()
    data = request.get_data(cache=False)
    if not data:
        raise FileMissing("Send the file as multipart field 'file' or as the request body.")
    return request.headers.get("X-File-Name", "upload.csv"), data
