"""Ingestion of a batch of meter reads for one device (R-READ-1, R-READ-3 … R-READ-7).

The device's read state is loaded and locked once, the batch is validated in memory (ongoing reads in order of
end time, history reads as sent), and accepted and rejected reads are written with one multi-row statement each.
"""

import bisect
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from dapp.devices.models import Device
from dapp.errors import Invalid
from dapp.reads.models import DeviceReadState, MeterRead, ReadStatus, RejectedRead
from dapp.reads.rules import MAX_ENERGY_RULE, DeviceProfile, max_energy_wh
from dapp.reads.schemas import ReadBatchCreate, ReadOutcome, ReadType
from dapp.reads.timestamps import BadTimestamp, parse_instant, zone
from dapp.reads.units import to_wh


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


class Rejected(Exception):
    def __init__(self, code: str, detail: str, max_energy: int | None = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.max_energy = code, detail, max_energy


@dataclass
class Candidate:
    index: int
    start: datetime | None
    end: datetime
    value_wh: int


@dataclass
class Outcomes:
    accepted: list[dict[str, object]] = field(default_factory=list)
    rejected: list[dict[str, object]] = field(default_factory=list)
    results: list[ReadOutcome] = field(default_factory=list)


def ingest(session: Session, device: Device, batch: ReadBatchCreate, policy: Policy, atomic: bool) -> list[ReadOutcome]:
    """Validate and store a batch; returns one outcome per read, in request order."""
    state = _lock_state(session, device)
    outcomes = Outcomes()
    candidates = _parse(batch, device, outcomes)
    validator: Validator = (
        HistoryValidator(session, device, candidates, policy)
        if batch.type == ReadType.HISTORY
        else OngoingValidator(device, state, batch.type, policy)
    )
    if batch.type != ReadType.HISTORY:
        candidates.sort(key=lambda c: c.end)  # ongoing reads follow each other; history reads stay in order sent
    for candidate in candidates:
        _judge(validator, candidate, outcomes)
    if atomic and outcomes.rejected:
        raise Invalid(
            "At least one read was rejected and atomic=true was asked: nothing was stored.",
            code="batch_rejected",
            results=[r.model_dump(exclude_none=True) for r in _ordered(outcomes)],
        )
    validator.commit_state()
    _write(session, {"device_id": device.id, "read_type": batch.type.value, "received_at": policy.now}, outcomes)
    return _ordered(outcomes)


def _ordered(outcomes: Outcomes) -> list[ReadOutcome]:
    return sorted(outcomes.results, key=lambda r: r.index)


def _lock_state(session: Session, device: Device) -> DeviceReadState:
    session.execute(pg_insert(DeviceReadState).values(device_id=device.id).on_conflict_do_nothing())
    return session.scalars(
        select(DeviceReadState).where(DeviceReadState.device_id == device.id).with_for_update()
    ).one()


def _parse(batch: ReadBatchCreate, device: Device, outcomes: Outcomes) -> list[Candidate]:
    local_zone = zone(batch.timezone or device.timezone)
    candidates = []
    for index, read in enumerate(batch.reads):
        try:
            start = parse_instant(read.start, local_zone) if read.start else None
            end = parse_instant(read.end, local_zone)
        except BadTimestamp as error:
            _reject(outcomes, index, None, None, to_wh(read.value, batch.unit), Rejected("bad_timestamp", str(error)))
            continue
        candidates.append(Candidate(index, start, end, to_wh(read.value, batch.unit)))
    return candidates


def _judge(validator: "Validator", candidate: Candidate, outcomes: Outcomes) -> None:
    try:
        status, reason, start, energy, limit = validator.check(candidate)
    except Rejected as rejection:
        _reject(outcomes, candidate.index, candidate.start, candidate.end, candidate.value_wh, rejection)
        return
    outcomes.accepted.append(
        {
            "status": status,
            "status_reason": reason,
            "period_start": start,
            "period_end": candidate.end,
            "value_wh": candidate.value_wh,
            "energy_wh": energy,
            "max_energy_wh": limit,
            "rule_version": MAX_ENERGY_RULE,
        }
    )
    outcomes.results.append(
        ReadOutcome(
            index=candidate.index,
            status=status,
            reason_code=reason,
            start=start.isoformat() if start else None,
            end=candidate.end.isoformat(),
            energy_wh=energy,
            max_energy_wh=limit,
        )
    )


def _reject(
    outcomes: Outcomes, index: int, start: datetime | None, end: datetime | None, value_wh: int, rejection: Rejected
) -> None:
    outcomes.rejected.append(
        {
            "period_start": start,
            "period_end": end,
            "value_wh": value_wh,
            "reason_code": rejection.code,
            "detail": rejection.detail,
        }
    )
    outcomes.results.append(
        ReadOutcome(
            index=index,
            status="rejected",
            reason_code=rejection.code,
            detail=rejection.detail,
            start=start.isoformat() if start else None,
            end=end.isoformat() if end else None,
            max_energy_wh=rejection.max_energy,
        )
    )


def _write(session: Session, common: dict[str, object], outcomes: Outcomes) -> None:
    """One multi-row insert for the accepted reads and one for the rejected ones."""
    if outcomes.accepted:
        session.execute(insert(MeterRead), [{**common, **row} for row in outcomes.accepted])
    if outcomes.rejected:
        session.execute(insert(RejectedRead), [{**common, **row} for row in outcomes.rejected])


Verdict = tuple[str, str | None, datetime | None, int, int | None]


class Validator(Protocol):
    def check(self, c: Candidate) -> Verdict: ...

    def commit_state(self) -> None: ...


def _profile(device: Device, policy: Policy) -> DeviceProfile:
    return DeviceProfile(
        device.capacity_kw, device.yield_kwh_per_kwp or policy.default_yield, device.commissioning_date
    )


def _check_max_energy(profile: DeviceProfile, start: datetime, end: datetime, energy: int) -> int:
    limit = max_energy_wh(profile, start, end)
    if energy > limit:
        raise Rejected(
            "exceeds_max_energy",
            f"{energy} Wh in {start.isoformat()} … {end.isoformat()} exceeds the device's plausible "
            f"maximum of {limit} Wh.",
            limit,
        )
    return limit


class HistoryValidator:
    """R-READ-3: energy produced between commissioning and onboarding, in non-overlapping intervals."""

    def __init__(self, session: Session, device: Device, batch: list[Candidate], policy: Policy) -> None:
        self.device, self.policy, self.profile = device, policy, _profile(device, policy)
        self.commissioned_at = datetime.combine(device.commissioning_date, time(), tzinfo=ZoneInfo(device.timezone))
        self.taken = IntervalSet(_history_intervals(session, device, batch))

    def check(self, c: Candidate) -> Verdict:
        if c.start is None:
            raise Rejected("missing_start", "A history read needs a start.")
        self._check_period(c.start, c.end)
        if c.value_wh < 0:
            raise Rejected("negative_value", "A read value cannot be negative.")
        if self.taken.overlaps(c.start, c.end):
            raise Rejected("overlaps_history", "The interval overlaps a history read already stored or sent.")
        limit = _check_max_energy(self.profile, c.start, c.end, c.value_wh)
        self.taken.add(c.start, c.end)
        return ReadStatus.ACCEPTED, None, c.start, c.value_wh, limit

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
                "This read starts more than 12 months ago: confirm it with acknowledge_old=true.",
            )

    def commit_state(self) -> None:
        """History reads leave the ongoing read state alone (R-READ-6)."""


def _history_intervals(session: Session, device: Device, batch: list[Candidate]) -> list[tuple[datetime, datetime]]:
    starts = [c.start for c in batch if c.start is not None]
    if not starts:
        return []
    rows = session.execute(
        select(MeterRead.period_start, MeterRead.period_end).where(
            MeterRead.device_id == device.id,
            MeterRead.read_type == ReadType.HISTORY.value,
            MeterRead.period_end > min(starts),
            MeterRead.period_start < max(c.end for c in batch),
        )
    )
    return [(row.period_start, row.period_end) for row in rows]


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


class OngoingValidator:
    """The rules for delta and aggregate reads, applied in order of end time against the device's state."""

    def __init__(self, device: Device, state: DeviceReadState, read_type: ReadType, policy: Policy) -> None:
        self.device, self.state, self.read_type, self.policy = device, state, read_type, policy
        self.last_end = state.last_end_at
        self.last_register = state.last_register_wh
        self.profile = _profile(device, policy)

    def check(self, c: Candidate) -> Verdict:
        self._check_common(c)
        if self.last_end is None or c.end - self.last_end > self.policy.baseline_gap:
            reason = "first_read" if self.last_end is None else "gap_exceeded"
            self._advance(c)
            return ReadStatus.BASELINE, reason, None, self._baseline_energy(c), None
        start, energy = self.last_end, self._energy(c)
        limit = _check_max_energy(self.profile, start, c.end, energy)
        self._advance(c)
        return ReadStatus.ACCEPTED, None, start, energy, limit

    def _check_common(self, c: Candidate) -> None:
        if self.state.ongoing_type not in (None, self.read_type.value):
            raise Rejected("type_locked", f"This device sends {self.state.ongoing_type} reads; the type cannot change.")
        if c.value_wh < 0:
            raise Rejected("negative_value", "A read value cannot be negative.")
        if c.end <= self.device.onboarded_at:
            raise Rejected("before_onboarding", "The read ends before the device was onboarded; send it as history.")
        if c.end > self.policy.now + self.policy.clock_skew:
            raise Rejected("in_future", "The read ends in the future.")
        if self.last_end is not None and c.end <= self.last_end:
            raise Rejected(
                "not_after_previous",
                f"The read must end after the device's previous read ({self.last_end.isoformat()}).",
            )
        if self.read_type == ReadType.AGGREGATE and self.last_register is not None and c.value_wh < self.last_register:
            raise Rejected(
                "decreasing_register", f"The meter register went down from {self.last_register} Wh to {c.value_wh} Wh."
            )

    def _energy(self, c: Candidate) -> int:
        if self.read_type == ReadType.AGGREGATE:
            return c.value_wh - (self.last_register or 0)
        return c.value_wh

    def _baseline_energy(self, c: Candidate) -> int:
        return c.value_wh if self.read_type == ReadType.DELTA else 0

    def _advance(self, c: Candidate) -> None:
        self.last_end = c.end
        if self.read_type == ReadType.AGGREGATE:
            self.last_register = c.value_wh

    def commit_state(self) -> None:
        if self.last_end != self.state.last_end_at:
            self.state.ongoing_type = self.read_type.value
        self.state.last_end_at = self.last_end
        self.state.last_register_wh = self.last_register
