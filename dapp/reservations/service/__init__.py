"""Reservation use cases (R-RES), one module per use case: plain functions taking (session, actor, now, …)."""

from dapp.reservations.service.availability import COOLDOWN, RELEASE_GRACE, reservable_devices_query
from dapp.reservations.service.catalogue import devices_page, estimate, groups
from dapp.reservations.service.change import change_devices
from dapp.reservations.service.create import Created, create
from dapp.reservations.service.end import Ending, end
from dapp.reservations.service.listing import Figures, certificates, figures_of, get, list_page
from dapp.reservations.service.release import release_by_hand, release_expired, reservations_of_my_devices

__all__ = [
    "COOLDOWN",
    "RELEASE_GRACE",
    "Created",
    "Ending",
    "Figures",
    "certificates",
    "change_devices",
    "create",
    "devices_page",
    "end",
    "estimate",
    "figures_of",
    "get",
    "groups",
    "list_page",
    "release_by_hand",
    "release_expired",
    "reservable_devices_query",
    "reservations_of_my_devices",
]
