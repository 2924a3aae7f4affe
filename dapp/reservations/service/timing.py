"""When changes take effect: the end of the issuance window that contains `now` (R-RES-5, R-RES-6)."""

from datetime import datetime

from dapp.models.reservations import Frequency, Reservation
from dapp.reservations.errors import ReservationEnded
from dapp.reservations.windows import windows


def current_window_end(reservation: Reservation, now: datetime) -> datetime:
    """The end of the reservation's issuance window containing `now`, clipped to the reservation's end."""
    first = next(windows(Frequency(reservation.frequency), reservation.timezone, now, reservation.effective_end), None)
    return first[1] if first is not None else reservation.effective_end


def require_open(reservation: Reservation, now: datetime) -> None:
    """Refuse changes to a reservation that ended or whose end is already set."""
    if reservation.ended_at is not None or reservation.period_end <= now:
        raise ReservationEnded(reservation.effective_end)
