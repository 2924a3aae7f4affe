"""The blueprint every device page registers on, and helpers the pages share."""

from datetime import datetime

from flask import Blueprint, request

from dapp import platform

bp = Blueprint("devices", __name__)


def now() -> datetime:
    return platform.current().clock.now()


def is_htmx() -> bool:
    """Whether htmx asked for a fragment (not a boosted page load)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
