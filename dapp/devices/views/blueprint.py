"""The blueprint every device page registers on, and the time the pages read."""

from datetime import datetime

from flask import Blueprint

from dapp import platform

bp = Blueprint("devices", __name__)


def now() -> datetime:
    return platform.current().clock.now()
