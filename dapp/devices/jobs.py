"""RQ jobs of devices. Each takes ids, opens its own units of work and is idempotent."""

import uuid

from dapp import platform
from dapp.devices import emails
from dapp.devices.bulk import csvfile
from dapp.devices.bulk import service as bulk
from dapp.models.devices import DeviceUpload

CHUNK_ROWS = 500


def send_upload_received_job(upload_id: str) -> None:
    """devices.send_upload_received: email the uploader the job's id and where to follow it."""
    with platform.current().db.unit_of_work() as session:
        upload = session.get_one(DeviceUpload, uuid.UUID(upload_id))
    if upload.notify_email:
        emails.send_upload_received(upload.notify_email, upload.id, upload.file_name, upload.row_count)


def process_upload_job(upload_id: str) -> int:
    """devices.process_upload: create the devices of an uploaded CSV, chunk by chunk; returns the rows done."""
    p = platform.current()
    job = uuid.UUID(upload_id)
    with p.db.unit_of_work() as session:
        upload = bulk.begin(session, job, p.clock.now())
        if upload is None:
            return 0
        cid, start = upload.file_cid, upload.rows_done
    rows = csvfile.read(p.content.get(cid)).rows
    first_row_of = bulk.first_rows(rows)
    for index in range(start, len(rows), CHUNK_ROWS):
        with p.db.unit_of_work() as session:
            bulk.process_chunk(session, job, index, rows[index : index + CHUNK_ROWS], first_row_of, p.clock.now())
    with p.db.unit_of_work() as session:
        finished = bulk.finish(session, job, p.clock.now())
    if finished is not None:
        upload, counts = finished
        if upload.notify_email:
            emails.send_upload_finished(upload.notify_email, upload.id, upload.file_name, counts)
    return len(rows)
