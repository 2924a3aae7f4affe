"""The emails of bulk uploads: the job id when the file is accepted, the summary when the job has finished."""

import uuid

from dapp import mail, platform
from dapp.devices.bulk.service import Counts


def _job_link(upload_id: uuid.UUID) -> str:
    return f"{platform.current().settings.base_url}/devices/uploads/{upload_id}"


def send_upload_received(email: str, upload_id: uuid.UUID, file_name: str, rows: int) -> None:
    mail.send(
        email,
        f"Device upload received: job {upload_id}",
        f"Your file '{file_name}' ({rows} device rows) was received.\n\nJob id: {upload_id}\n\n"
        f"Follow its progress and read the log of every row here:\n{_job_link(upload_id)}\n",
    )


def send_upload_finished(email: str, upload_id: uuid.UUID, file_name: str, counts: Counts) -> None:
    mail.send(
        email,
        f"Device upload finished: job {upload_id}",
        f"The devices of '{file_name}' have been processed (job {upload_id}).\n\n"
        f"  Success: {counts.success}\n  Success with validation errors: {counts.partial}\n"
        f"  Failed: {counts.failed}\n\n"
        "Rows with validation errors created their device without the wrong optional values; fix them through the "
        "edit link in the log. Failed rows created nothing: fix them in your file and upload it again (rows that "
        f"already succeeded are not created twice).\n\nThe log: {_job_link(upload_id)}\n",
    )
