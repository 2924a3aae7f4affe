"""The blueprint every device page registers on, and the time the pages read."""

from datetime import datetime

from flask import Blueprint

from dapp import platform
from dapp.devices import labels

bp = Blueprint("devices", __name__)
bp.add_app_template_filter(labels.upload_status_label, "upload_status")


def now() -> datetime:
    return platform.current().clock.now()
