"""The rules for one device's reads (R-READ-3 … R-READ-7), applied in memory to a batch.

A validator sees the device, its ongoing-read state and the history intervals already stored, and judges
candidate reads one by one; each verdict either stores the read (accepted or baseline) or rejects it with a
reason code and a sentence. The clear-sky check (R-READ-8) runs later over the whole batch at once.
"""

import bisect
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from dapp.models.reads import ReadStatus
from dapp.reads.rules import DeviceProfile, max_energy_wh
from dapp.reads.schemas import ReadType


@dataclass(frozen=True)
class Policy:
    """Settings the rules depend on."""

    now: datetime
    clock_skew: timedelta
    baseline_gap: timedelta
    default_yield: Decimal
    history_max_age: timedelta = timedelta(days=3 * 365)
    acknowledgement_age: timedelta = timedelta(days=365)
    acknowledge_old: bool = False
    flagged_auto_accept_ratio: Decimal | None = None


@dataclass(slots=True)
class DeviceContext:
    """What the rules need to know about a device, loaded once per batch."""

    id: uuid.UUID
    external_id: str
    timezone: str
    country_code: str
    capacity_kw: Decimal
    commissioning_date: date
    onboarded_at: datetime
    latitude: Decimal | None
    longitude: Decimal | None
    yield_kwh_per_kwp: Decimal
    yield_source: str  # device, country or default

    @property
    def profile(self) -> DeviceProfile:
        return DeviceProfile(self.capacity_kw, self.yield_kwh_per_kwp, self.commissioning_date)


@dataclass(slots=True)
class OngoingState:
    """A device's `device_read_state` row, held in memory while its batch is judged."""

    device_id: uuid.UUID
    ongoing_type: str | None = None
    last_end: datetime | None = None
    last_register: int | None = None
    next_baseline_reason: str | None = None
    changed: bool = False
    certified_until: datetime | None = None  # accepted energy before it is late (R-READ-9); read, never written


@dataclass(slots=True)
class Candidate:
    index: int
    start: datetime | None
    end: datetime
    value_wh: int


@dataclass(slots=True)
class Verdict:
    status: str
    reason: str | None
    start: datetime | None
    energy_wh: int
    max_energy_wh: int | None


class Rejected(Exception):
    """A read refused by a rule: `code` is stable, `detail` a sentence the developer can act on."""

    def __init__(self, code: str, detail: str, max_energy: int | None = None, energy: int | None = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.max_energy, self.energy = code, detail, max_energy, energy


def claimed_energy(read_type: ReadType, value_wh: int) -> int | None:
    """The energy a rejected read claimed: its value for delta and history reads; none of its own for an aggregate
    read, whose interval the next accepted register value covers."""
    return None if read_type == ReadType.AGGREGATE else value_wh


def check_max_energy(profile: DeviceProfile, start: datetime, end: datetime, energy: int) -> int:
    """R-READ-7: the limit for the interval; raises `exceeds_max_energy` above it."""
    limit = max_energy_wh(profile, start, end)
    if energy > limit:
        raise Rejected(
            "exceeds_max_energy",
            f"{energy} Wh in {start.isoformat()} … {end.isoformat()} exceeds the device's plausible "
            f"maximum of {limit} Wh.",
            limit,
            energy,
        )
    return limit


class IntervalSet:
    """Non-overlapping half-open intervals, sorted by start; touching intervals do not overlap."""

    def __init__(self, intervals: list[tuple[datetime, datetime]]) -> None:
        self._intervals = sorted(intervals)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        i = bisect.bisect_left(self._intervals, (start, start))
        before = i > 0 and self._intervals[i - 1][1] > start
        after = i < len(self._intervals) and self._intervals[i][0] < end
        return before or after

    def add(self, start: datetime, end: datetime) -> None:
        bisect.insort(self._intervals, (start, end))


class HistoryValidator:
    """R-READ-3: energy produced between commissioning and onboarding, in non-overlapping intervals."""

    def __init__(self, device: DeviceContext, taken: IntervalSet, policy: Policy) -> None:
        self.device, self.policy, self.taken, self.profile = device, policy, taken, device.profile
        self.commissioned_at = datetime.combine(device.commissioning_date, time(), tzinfo=ZoneInfo(device.timezone))

    def check(self, c: Candidate) -> Verdict:
        if c.start is None:
            raise Rejected("missing_start", "A history read needs a start.")
        self._check_period(c.start, c.end)
        if c.value_wh < 0:
            raise Rejected("negative_value", "A read value cannot be negative.")
        if self.taken.overlaps(c.start, c.end):
            raise Rejected(
                "overlaps_history", "The interval overlaps a history read already stored or sent.", energy=c.value_wh
            )
        limit = check_max_energy(self.profile, c.start, c.end, c.value_wh)
        self.taken.add(c.start, c.end)
        return Verdict(ReadStatus.ACCEPTED, None, c.start, c.value_wh, limit)

    def _check_period(self, start: datetime, end: datetime) -> None:
        if start >= end:
            raise Rejected("start_not_before_end", "The start must be before the end.")
        if start < self.commissioned_at:
            raise Rejected("before_commissioning", "A history read cannot start before the commissioning date.")
        if end > self.device.onboarded_at:
            raise Rejected(
                "after_onboarding",
                "A history read must end by the onboarding time; send later energy as delta or aggregate reads.",
            )
        if start < self.device.onboarded_at - self.policy.history_max_age:
            raise Rejected("too_old", "History reads may start at most 3 years before onboarding.")
        if start < self.policy.now - self.policy.acknowledgement_age and not self.policy.acknowledge_old:
            raise Rejected(
                "needs_acknowledgement",
                "This read starts more than 12 months ago: confirm it with acknowledge_old=true "
                "(the 'I confirm' box in the form).",
            )


class OngoingValidator:
    """R-READ-4 … R-READ-6: delta and aggregate reads, in order of end time, against the device's state."""

    def __init__(self, device: DeviceContext, state: OngoingState, read_type: ReadType, policy: Policy) -> None:
        self.device, self.state, self.read_type, self.policy = device, state, read_type, policy
        self.profile = device.profile
        self.type_name = read_type.value  # as stored in the device's state

    def check(self, c: Candidate) -> Verdict:
        self._check_common(c)
        reason = self._baseline_reason(c)
        if reason is not None:
            energy = c.value_wh if self.read_type == ReadType.DELTA else 0
            self._advance(c)
            return Verdict(ReadStatus.BASELINE, reason, None, energy, None)
        assert self.state.last_end is not None
        start, energy = self.state.last_end, self._energy(c)
        limit = check_max_energy(self.profile, start, c.end, energy)
        self._advance(c)
        return Verdict(ReadStatus.ACCEPTED, None, start, energy, limit)

    def _baseline_reason(self, c: Candidate) -> str | None:
        if self.state.last_end is None:
            return "first_read"
        if self.state.next_baseline_reason is not None:
            return self.state.next_baseline_reason
        if c.end - self.state.last_end > self.policy.baseline_gap:
            return "gap_exceeded"
        return None

    def _check_common(self, c: Candidate) -> None:
        if self.state.ongoing_type not in (None, self.type_name):
            raise Rejected(
                "type_locked",
                f"This device sends {self.state.ongoing_type} reads; its read type cannot change.",
            )
        if c.value_wh < 0:
            raise Rejected("negative_value", "A read value cannot be negative.")
        if c.end <= self.device.onboarded_at:
            raise Rejected("before_onboarding", "The read ends before the device was onboarded; send it as history.")
        if c.end > self.policy.now + self.policy.clock_skew:
            raise Rejected("in_future", "The read ends in the future.")
        last_end = self.state.last_end
        if last_end is not None and c.end <= last_end:
            raise Rejected(
                "not_after_previous", f"The read must end after the device's previous read ({last_end.isoformat()})."
            )
        register = self.state.last_register
        if self.read_type == ReadType.AGGREGATE and register is not None and c.value_wh < register:
            raise Rejected(
                "decreasing_register",
                f"The meter register went down from {register} Wh to {c.value_wh} Wh; "
                "if the meter was replaced, record the replacement first.",
            )

    def _energy(self, c: Candidate) -> int:
        if self.read_type == ReadType.AGGREGATE:
            return c.value_wh - (self.state.last_register or 0)
        return c.value_wh

    def _advance(self, c: Candidate) -> None:
        state = self.state
        state.ongoing_type = self.type_name
        state.last_end = c.end
        state.next_baseline_reason = None
        if self.read_type == ReadType.AGGREGATE:
            state.last_register = c.value_wh
        state.changed = True
