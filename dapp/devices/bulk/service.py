"""Bulk-upload use cases (R-DEV-7): accepting a file, processing it in chunks, reading the job log.

The file is checked as a whole before anything is stored; then it is kept in the content store (IPFS) and a
`device_upload` row records the job. The job processes the rows in chunks, each chunk one transaction that
creates its devices, writes its log rows and advances `rows_done`, so progress is visible while it runs and a
job that is run again continues where it stopped. A row whose external id the organization already has
creates nothing (the insert skips it), so uploading a file again never duplicates devices.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dapp import events
from dapp.access.permissions import Actor
from dapp.audit import service as audit
from dapp.devices.bulk import csvfile, store
from dapp.devices.bulk.rows import Verdict, judge
from dapp.devices.errors import UploadNotFound
from dapp.ipfs import ContentStore
from dapp.models.accounts import ApiKey, User
from dapp.models.devices import Device, DeviceUpload, DeviceUploadRow, RowStatus, UploadStatus
from dapp.platform import enqueue_after_commit

CHUNK_ROWS = 1000
ALREADY_REGISTERED = "Already registered (by an earlier upload or by hand): nothing was changed."


@dataclass(frozen=True)
class Counts:
    success: int = 0
    partial: int = 0
    failed: int = 0

    @property
    def done(self) -> int:
        return self.success + self.partial + self.failed


def start(
    session: Session, actor: Actor, now: datetime, store: ContentStore, file_name: str, data: bytes
) -> DeviceUpload:
    """Check the file, keep it in the content store and record the job; once committed, the job is queued and the
    uploader emailed its id."""
    parsed = csvfile.read(data)
    upload = DeviceUpload(
        organization_id=actor.organization_id,
        created_by_id=actor.user_id,
        notify_email=_notify_email(session, actor),
        file_name=(file_name or "upload.csv")[:255],
        file_cid=store.add(data),
        file_size=len(data),
        row_count=len(parsed.rows),
        rows_done=0,
        status=UploadStatus.QUEUED,
        created_at=now,
    )
    session.add(upload)
    session.flush()
    after = {"file_name": upload.file_name, "file_cid": upload.file_cid, "rows": upload.row_count}
    audit.record(session, actor, "device_upload.create", "device_upload", upload.id, after=after, now=now)
    job = str(upload.id)
    enqueue_after_commit(session, "devices.process_upload", job, job_id=f"devices-process-upload-{job}")
    if upload.notify_email:
        enqueue_after_commit(session, "devices.send_upload_received", job)
    return upload


def get(session: Session, actor: Actor, upload_id: uuid.UUID) -> DeviceUpload:
    upload = session.scalar(
        select(DeviceUpload).where(DeviceUpload.id == upload_id, DeviceUpload.organization_id == actor.organization_id)
    )
    if upload is None:
        raise UploadNotFound("Your organization has no upload with this job id.")
    return upload


def list_page(session: Session, actor: Actor, page: int, size: int) -> tuple[list[DeviceUpload], int]:
    scope = select(DeviceUpload).where(DeviceUpload.organization_id == actor.organization_id)
    total = session.scalar(select(func.count()).select_from(scope.subquery())) or 0
    rows = session.scalars(
        scope.order_by(DeviceUpload.created_at.desc(), DeviceUpload.id).limit(size).offset((page - 1) * size)
    )
    return list(rows), total


def counts(session: Session, upload_id: uuid.UUID) -> Counts:
    """How many rows ended in each status so far."""
    rows = session.execute(
        select(DeviceUploadRow.status, func.count())
        .where(DeviceUploadRow.upload_id == upload_id)
        .group_by(DeviceUploadRow.status)
    )
    by_status: dict[str, int] = {status: number for status, number in rows.tuples()}
    return Counts(
        by_status.get(RowStatus.SUCCESS, 0), by_status.get(RowStatus.PARTIAL, 0), by_status.get(RowStatus.FAILED, 0)
    )


def log_page(
    session: Session, upload_id: uuid.UUID, status: RowStatus | None, page: int, size: int
) -> tuple[list[DeviceUploadRow], int]:
    """The job log, by row number; optionally only the rows of one status."""
    scope = select(DeviceUploadRow).where(DeviceUploadRow.upload_id == upload_id)
    if status is not None:
        scope = scope.where(DeviceUploadRow.status == status)
    total = session.scalar(select(func.count()).select_from(scope.subquery())) or 0
    rows = session.scalars(scope.order_by(DeviceUploadRow.row_number).limit(size).offset((page - 1) * size))
    return list(rows), total


def begin(session: Session, upload_id: uuid.UUID, now: datetime) -> DeviceUpload | None:
    """Mark the job running; None when there is nothing left to do (unknown or finished)."""
    upload = session.get(DeviceUpload, upload_id, with_for_update=True)
    if upload is None or upload.status == UploadStatus.FINISHED:
        return None
    upload.status = UploadStatus.RUNNING
    upload.started_at = upload.started_at or now
    return upload


def process_chunk(
    session: Session,
    upload_id: uuid.UUID,
    start_row: int,
    rows: Sequence[csvfile.Row],
    first_row_of: dict[str, int],
    now: datetime,
) -> bool:
    """Judge and store `rows` (the file's rows from index `start_row`); False when another run already did."""
    upload = session.get_one(DeviceUpload, upload_id, with_for_update=True)
    if upload.rows_done != start_row or upload.status != UploadStatus.RUNNING:
        return False
    verdicts = [judge(row, now, first_row_of) for row in rows]
    device_ids = _create_devices(session, upload.organization_id, verdicts, now)
    store.insert_log(session, (_log_row(upload_id, v, device_ids) for v in verdicts))
    upload.rows_done = start_row + len(rows)
    return True


def finish(session: Session, upload_id: uuid.UUID, now: datetime) -> tuple[DeviceUpload, Counts] | None:
    """Close the job and audit it; None when it was already closed."""
    upload = session.get_one(DeviceUpload, upload_id, with_for_update=True)
    if upload.status == UploadStatus.FINISHED:
        return None
    upload.status = UploadStatus.FINISHED
    upload.finished_at = now
    totals = counts(session, upload_id)
    summary = {"success": totals.success, "success_with_errors": totals.partial, "failed": totals.failed}
    audit.record(
        session,
        None,
        "device_upload.finish",
        "device_upload",
        upload.id,
        after=summary,
        now=now,
        organization_id=upload.organization_id,
    )
    events.emit(
        session,
        upload.organization_id,
        "bulk_upload.finished",
        {"upload_id": upload.id, "file_name": upload.file_name, "finished_at": now, **summary},
        now,
    )
    return upload, totals


def first_rows(rows: Sequence[csvfile.Row]) -> dict[str, int]:
    """Each external id (lower case) → the number of the first row that uses it."""
    first: dict[str, int] = {}
    for row in rows:
        external_id = row.cells.get("external_id", "").lower()
        if external_id:
            first.setdefault(external_id, row.number)
    return first


def _create_devices(
    session: Session, organization_id: uuid.UUID, verdicts: list[Verdict], now: datetime
) -> dict[str, tuple[uuid.UUID, bool]]:
    """Insert the devices of the rows that passed; lower external id → (device id, created by this row)."""
    wanted = [v.values for v in verdicts if v.values is not None]
    if not wanted:
        return {}
    columns = ["id", "organization_id", "onboarded_at", *wanted[0]]
    rows = ([uuid.uuid4(), organization_id, now, *values.values()] for values in wanted)
    created = {
        external_id.lower(): (device_id, True)
        for device_id, external_id in store.insert_devices(session, columns, rows)
    }
    existing = [v["external_id"].lower() for v in wanted if v["external_id"].lower() not in created]
    if existing:
        found = session.execute(
            select(Device.id, func.lower(Device.external_id)).where(
                Device.organization_id == organization_id, func.lower(Device.external_id).in_(existing)
            )
        )
        created.update({external_id: (device_id, False) for device_id, external_id in found})
    return created


def _log_row(upload_id: uuid.UUID, verdict: Verdict, devices: dict[str, tuple[uuid.UUID, bool]]) -> dict[str, Any]:
    device_id, is_new = devices.get((verdict.external_id or "").lower(), (None, False))
    linked = verdict.values is not None
    return {
        "upload_id": upload_id,
        "row_number": verdict.number,
        "external_id": verdict.external_id,
        "status": verdict.status.value,
        "errors": [p.as_error() for p in verdict.problems],
        "note": ALREADY_REGISTERED if linked and device_id is not None and not is_new else None,
        "device_id": device_id if linked else None,
    }


def _notify_email(session: Session, actor: Actor) -> str | None:
    """Who hears about the job: the signed-in user, or the person who made the API key."""
    user_id = actor.user_id
    if user_id is None and actor.api_key_id is not None:
        user_id = session.scalar(select(ApiKey.created_by_id).where(ApiKey.id == actor.api_key_id))
    return session.scalar(select(User.email).where(User.id == user_id)) if user_id else None
