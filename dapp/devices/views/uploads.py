"""Bulk upload pages (R-DEV-7): the upload form and template, the job page with live progress and its log."""

import uuid

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from dapp import platform
from dapp.access.permissions import Actor, Module, Permission
from dapp.db import savepoint
from dapp.devices.bulk import csvfile, template
from dapp.devices.bulk import service as bulk
from dapp.devices.views.blueprint import bp, now
from dapp.errors import DomainError, field_error
from dapp.models.devices import RowStatus, UploadStatus
from dapp.web.pages import PageCall, is_htmx, page
from dapp.web.paging import page_args


@bp.get("/devices/uploads")
@page(Module.BULK_UPLOAD, Permission.READ)
def list_uploads(call: PageCall[Actor]) -> str:
    return _uploads_page(call, None)


@bp.post("/devices/uploads")
@page(Module.BULK_UPLOAD, Permission.WRITE)
def create_upload(call: PageCall[Actor]) -> tuple[str, int] | BaseResponse:
    sent = request.files.get("file")
    try:
        if sent is None or not sent.filename:
            raise field_error("file", "Choose a CSV file to upload.", "file_missing")
        with savepoint(call.session):
            upload = bulk.start(call.session, call.actor, now(), platform.current().content, sent.filename, sent.read())
    except DomainError as error:  # not `attempt`: the page shows why next to the file input, not in a flash
        return _uploads_page(call, error.detail), error.status
    flash(f"Upload received: job {upload.id}. We will email you when it has finished.", "success")
    return redirect(url_for("devices.upload_job", upload_id=upload.id))


@bp.get("/devices/uploads/template.csv")
@page(Module.BULK_UPLOAD, Permission.READ)
def upload_template(_call: PageCall[Actor]) -> Response:
    return _csv(template.template_csv(), "devices-template.csv")


@bp.get("/devices/uploads/accepted-values.csv")
@page(Module.BULK_UPLOAD, Permission.READ)
def upload_accepted_values(_call: PageCall[Actor]) -> Response:
    return _csv(template.accepted_values_csv(), "devices-accepted-values.csv")


@bp.get("/devices/uploads/<uuid:upload_id>")
@page(Module.BULK_UPLOAD, Permission.READ)
def upload_job(call: PageCall[Actor], upload_id: uuid.UUID) -> str:
    """The job: id, file, progress while it runs, and the log of every row (by status, 100 a page)."""
    upload = bulk.get(call.session, call.actor, upload_id)
    number, size = page_args(request.args, default_size=100)
    status = _status_filter(request.args.get("status"))
    rows, total = bulk.log_page(call.session, upload.id, status, number, size)
    return render_template(
        "devices/upload.html",
        upload=upload,
        counts=bulk.counts(call.session, upload.id),
        rows=rows,
        total=total,
        page=number,
        size=size,
        status=status,
        statuses=list(RowStatus),
        can_edit=call.actor.can(Module.DEVICES, Permission.UPDATE),
    )


@bp.get("/devices/uploads/<uuid:upload_id>/progress")
@page(Module.BULK_UPLOAD, Permission.READ)
def upload_progress(call: PageCall[Actor], upload_id: uuid.UUID) -> Response | str:
    """The progress fragment htmx polls; once the job has finished the page reloads to show the whole log."""
    upload = bulk.get(call.session, call.actor, upload_id)
    if upload.status == UploadStatus.FINISHED and is_htmx():
        return Response("", headers={"HX-Refresh": "true"})
    return render_template("devices/_progress.html", upload=upload, counts=bulk.counts(call.session, upload.id))


def _uploads_page(call: PageCall[Actor], error: str | None) -> str:
    number, size = page_args(request.args, default_size=20)
    uploads, total = bulk.list_page(call.session, call.actor, number, size)
    return render_template(
        "devices/uploads.html",
        uploads=[(u, bulk.counts(call.session, u.id)) for u in uploads],
        total=total,
        page=number,
        size=size,
        error=error,
        columns=template.COLUMNS,
        max_rows=csvfile.MAX_ROWS,
        can_upload=call.actor.can(Module.BULK_UPLOAD, Permission.WRITE),
    )


def _status_filter(raw: str | None) -> RowStatus | None:
    return RowStatus(raw) if raw in {s.value for s in RowStatus} else None


def _csv(text: str, name: str) -> Response:
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})
