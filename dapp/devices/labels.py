"""What a bulk upload's status means, in words; pages show these, the API the codes (R-DEV-7)."""

from dapp.models.devices import UploadStatus

UPLOAD_STATUSES = {
    UploadStatus.QUEUED: "Waiting to start",
    UploadStatus.RUNNING: "In progress",
    UploadStatus.FINISHED: "Finished",
}


def upload_status_label(status: str) -> str:
    return UPLOAD_STATUSES.get(status, status.replace("_", " ").capitalize())
