"""Ingestion of meter reads for one or many devices of an organization (R-READ-1, R-READ-3 … R-READ-8).

One pass per request: the devices are loaded with one query and their read states locked with one
statement (in device-id order, so concurrent batches cannot deadlock); every read is judged in memory; the
clear-sky check runs over the whole batch at once (numpy); accepted and rejected reads are written with COPY
(one multi-row INSERT for small batches) and the states with one UPDATE. Nothing is written when `atomic` is
asked and a read was rejected.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import orjson
import psycopg
from sqlalchemy.orm import Session

from dapp.devices.errors import DeviceNotFound
from dapp.models.reads import ReadStatus
from dapp.reads import announcements, partitions, store
from dapp.reads.errors import BatchRejected, ConcurrentReads
from dapp.reads.locations import UNKNOWN, locate
from dapp.reads.plausibility import CLEAR_SKY_RULE, Interval, clear_sky_limits
from dapp.reads.rules import MAX_ENERGY_RULE
from dapp.reads.schemas import ReadBatchCreate, ReadType
from dapp.reads.store import LateSpan, ReadRow, RejectedRow, load_devices, write_batch
from dapp.reads.timestamps import BadTimestamp, parse_instant, zone
from dapp.reads.units import MAX_WH, storable, to_wh
from dapp.reads.validation import (
    Candidate,
    DeviceContext,
    HistoryValidator,
    IntervalSet,
    OngoingState,
    OngoingValidator,
    Policy,
    Rejected,
    Verdict,
    claimed_energy,
)


@dataclass
class Outcome:
    """What happened to one read: the API's `ReadOutcome`, field for field and in its order.

    A plain object, since a batch has thousands; orjson writes it as it is (`PlainJson`), the instants in ISO 8601
    as `datetime.isoformat` writes them, in C instead of two Python calls per read (ADR 0060). Not slotted: orjson
    writes an object's `__dict__` three times as fast as its slots."""

    index: int
    status: str
    reason_code: str | None = None
    detail: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    energy_wh: int | None = None
    max_energy_wh: int | None = None
    clear_sky_wh: int | None = None

    def as_json(self) -> dict[str, object]:
        """The `ReadOutcome` JSON object (every field, null included), exactly as the answers write it."""
        answer: dict[str, object] = orjson.loads(orjson.dumps(self))
        return answer


@dataclass
class Block:
    """The reads of one device in a request (`external_id` as the caller wrote it)."""

    external_id: str
    batch: ReadBatchCreate


@dataclass(slots=True)
class Stored:
    """An accepted, baseline or flagged read on its way to `meter_read`."""

    device: DeviceContext
    read_type: str
    candidate: Candidate
    verdict: Verdict
    outcome: Outcome
    clear_sky_wh: int | None = None
    location_source: str | None = None
    review_policy: str | None = None


@dataclass
class Work:
    now: datetime  # when the batch was received
    stored: list[Stored] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    results: list[list[Outcome]] = field(default_factory=list)


Parsed = tuple[DeviceContext | None, list[Candidate], list[Outcome]]


def ingest(
    session: Session,
    organization_id: uuid.UUID,
    blocks: list[Block],
    policy: Policy,
    atomic: bool,
    unknown_device_is_error: bool = False,
) -> list[list[Outcome]]:
    """Judge and store the blocks; returns, per block, one outcome per read in request order.

    A block naming no device of the organization has every read rejected (`device_not_found`), or, with
    `unknown_device_is_error`, the request fails with 404.
    """
    devices, states = load_devices(session, organization_id, [b.external_id for b in blocks], policy)
    if unknown_device_is_error:
        for block in blocks:
            if block.external_id.lower() not in devices:
                raise DeviceNotFound(
                    f"Your organization has no device with external id '{block.external_id}'.",
                )
    parsed = parse_blocks(blocks, devices)
    partitions.ensure_months(session.get_bind().engine, (c.end for _, candidates, _ in parsed for c in candidates))
    work = judge(blocks, parsed, states, _history_spans(session, blocks, parsed), policy)
    if atomic and any(r.status == "rejected" for results in work.results for r in results):
        raise BatchRejected(
            "At least one read was rejected and atomic=true was asked: nothing was stored.",
            results=[[{k: v for k, v in r.as_json().items() if v is not None} for r in rs] for rs in work.results],
        )
    _write(session, work, states)
    announcements.announce(session, organization_id, [b.external_id for b in blocks], work.results, work.now)
    return work.results


def parse_blocks(blocks: list[Block], devices: dict[str, DeviceContext]) -> list[Parsed]:
    """Each block's device (None when the organization has none by that id) with its readable and unreadable reads."""
    return [_parse(block, devices.get(block.external_id.lower())) for block in blocks]


def _parse(block: Block, device: DeviceContext | None) -> Parsed:
    """Timestamps and units of a block; reads that cannot be understood are rejected at once."""
    batch = block.batch
    if device is None:
        detail = f"Your organization has no device with external id '{block.external_id}'."
        early = [_rejection(i, None, None, Rejected("device_not_found", detail)) for i in range(len(batch.reads))]
        return None, [], early
    local_zone = zone(batch.timezone or device.timezone)
    candidates, early = [], []
    for index, read in enumerate(batch.reads):
        try:
            start = parse_instant(read.start, local_zone) if read.start else None
            end = parse_instant(read.end, local_zone)
        except BadTimestamp as error:
            early.append(_rejection(index, None, None, Rejected("bad_timestamp", str(error))))
            continue
        value_wh = to_wh(read.value, batch.unit)
        if not storable(value_wh):
            early.append(_rejection(index, start, end, _out_of_range(read.value, batch.unit)))
            continue
        candidates.append(Candidate(index, start, end, value_wh))
    return device, candidates, early


def _out_of_range(value: Decimal, unit: str) -> Rejected:
    return Rejected(
        "value_out_of_range",
        f"{value} {unit} is more than a meter register can hold here ({MAX_WH:,} Wh at most, either sign).",
    )


def _history_spans(session: Session, blocks: list[Block], parsed: list[Parsed]) -> dict[uuid.UUID, IntervalSet]:
    """History intervals already stored, for the devices and time range of the batch's history reads."""
    ranges: dict[uuid.UUID, list[Candidate]] = defaultdict(list)
    for block, (device, candidates, _) in zip(blocks, parsed, strict=True):
        if device is not None and block.batch.type == ReadType.HISTORY:
            ranges[device.id] += [c for c in candidates if c.start is not None]
    ranges = {device_id: cs for device_id, cs in ranges.items() if cs}
    if not ranges:
        return {}
    starts = [c.start for cs in ranges.values() for c in cs if c.start is not None]
    ends = [c.end for cs in ranges.values() for c in cs]
    stored = store.history_spans(session, list(ranges), min(starts), max(ends))
    return {device_id: IntervalSet(intervals) for device_id, intervals in stored.items()}


def judge(
    blocks: list[Block],
    parsed: list[Parsed],
    states: dict[uuid.UUID, OngoingState],
    spans: dict[uuid.UUID, IntervalSet],
    policy: Policy,
) -> Work:
    """Every read judged in memory, its outcome in `work.results` (per block, in read order); then the clear-sky
    check over the batch's certifiable reads at once (R-READ-8).

    Blocks naming one device (in any letter case) judge it as one device (ADR 0035): they share its state and its
    history intervals, and its ongoing reads from every block are judged together in time order. History reads
    are judged in request order."""
    work = Work(policy.now)
    results: list[list[Outcome]] = []
    ongoing: list[tuple[list[Outcome], OngoingValidator, Candidate]] = []
    for block, (device, candidates, early) in zip(blocks, parsed, strict=True):
        outcomes = list(early)
        results.append(outcomes)
        if device is None:
            continue  # nothing is stored for a device that is not there
        read_type = block.batch.type
        if early:
            work.rejected += [_unreadable_row(block, device, outcome, work.now) for outcome in early]
        if read_type == ReadType.HISTORY:
            history = HistoryValidator(device, spans.setdefault(device.id, IntervalSet([])), policy)
            outcomes += [_judge(history, device, read_type, candidate, work) for candidate in candidates]
        else:
            validator = OngoingValidator(device, states[device.id], read_type, policy)
            ongoing += [(outcomes, validator, candidate) for candidate in candidates]
    for outcomes, validator, candidate in sorted(ongoing, key=lambda item: item[2].end):
        outcomes.append(_judge(validator, validator.device, validator.read_type, candidate, work))
    work.results = [sorted(outcomes, key=_index) if len(outcomes) > 1 else outcomes for outcomes in results]
    _check_plausibility(work.stored, policy)
    return work


def _index(outcome: Outcome) -> int:
    return outcome.index


def _unreadable_row(block: Block, device: DeviceContext, outcome: Outcome, received_at: datetime) -> RejectedRow:
    """A read refused before the rules (its timestamp or its value unreadable), kept with the Wh it claimed when
    that can be stored."""
    wh = to_wh(block.batch.reads[outcome.index].value, block.batch.unit)
    value_wh = wh if storable(wh) else None
    claimed = claimed_energy(block.batch.type, value_wh) if value_wh is not None else None
    return _rejected_row(device, block.batch.type, outcome.start, outcome.end, outcome, value_wh, claimed, received_at)


def _judge(
    validator: HistoryValidator | OngoingValidator,
    device: DeviceContext,
    read_type: ReadType,
    candidate: Candidate,
    work: Work,
) -> Outcome:
    try:
        verdict = validator.check(candidate)
    except Rejected as rejection:
        outcome = _rejection(candidate.index, candidate.start, candidate.end, rejection)
        claimed = claimed_energy(read_type, candidate.value_wh)
        work.rejected.append(
            _rejected_row(
                device, read_type, candidate.start, candidate.end, outcome, candidate.value_wh, claimed, work.now
            )
        )
        return outcome
    # positional, in the fields' order: keywords cost more than building the object (ADR 0060)
    outcome = Outcome(
        candidate.index,
        verdict.status,
        verdict.reason,
        None,  # detail
        verdict.start,
        candidate.end,
        verdict.energy_wh,
        verdict.max_energy_wh,
    )
    work.stored.append(Stored(device, read_type.value, candidate, verdict, outcome))
    return outcome


def _rejection(index: int, start: datetime | None, end: datetime | None, rejection: Rejected) -> Outcome:
    return Outcome(
        index,
        "rejected",
        rejection.code,
        rejection.detail,
        start,
        end,
        None,  # energy_wh
        rejection.max_energy,
    )


def _rejected_row(
    device: DeviceContext,
    read_type: ReadType,
    start: datetime | None,
    end: datetime | None,
    outcome: Outcome,
    value_wh: int | None,
    energy_wh: int | None,
    received_at: datetime,
) -> RejectedRow:
    assert outcome.reason_code is not None
    return RejectedRow(
        device.id,
        read_type.value,
        start,
        end,
        value_wh,
        energy_wh,
        outcome.max_energy_wh,
        outcome.reason_code,
        outcome.detail,
        received_at,
    )


def _check_plausibility(stored: list[Stored], policy: Policy) -> None:
    """R-READ-8 over every certifiable read of the batch at once; failures are flagged, never dropped."""
    checked: list[tuple[Stored, Interval]] = []
    for item in stored:
        if item.verdict.status != ReadStatus.ACCEPTED:
            continue
        device = item.device
        location = locate(device.latitude, device.longitude, device.country_code)
        if location is None:
            item.location_source = UNKNOWN
            continue
        item.location_source = location.source
        assert item.verdict.start is not None
        interval = Interval(
            location.latitude, location.longitude, device.capacity_kw, item.verdict.start, item.candidate.end
        )
        checked.append((item, interval))
    limits = clear_sky_limits([interval for _, interval in checked], policy.clock_skew)
    for (item, _), limit in zip(checked, limits, strict=True):
        item.clear_sky_wh = limit
        item.outcome.clear_sky_wh = limit
        if item.verdict.energy_wh > limit:
            _flag(item, limit, policy)


def _flag(item: Stored, limit: int, policy: Policy) -> None:
    ratio = policy.flagged_auto_accept_ratio
    if ratio is not None and item.verdict.energy_wh <= limit * ratio:
        item.review_policy = f"auto-accept up to {ratio}× clear sky"
        item.outcome.reason_code = "accepted_by_policy"
        return
    item.verdict.status = ReadStatus.FLAGGED
    item.verdict.reason = "exceeds_clear_sky"
    item.outcome.status = ReadStatus.FLAGGED
    item.outcome.reason_code = "exceeds_clear_sky"
    item.outcome.detail = (
        f"{item.verdict.energy_wh} Wh is more than a clear sky allows here ({limit} Wh): stored, "
        "and certified only once a platform admin accepts it."
    )


def _write(session: Session, work: Work, states: dict[uuid.UUID, OngoingState]) -> None:
    """Spans, reads, rejections and states; a constraint lost to a concurrent writer is a 409, never a 500."""
    try:
        write_batch(
            session,
            [read_row(item, work.now) for item in work.stored],
            work.rejected,
            [s for s in states.values() if s.changed],
            late_spans(work.stored, states),
        )
    except psycopg.IntegrityError as error:
        raise ConcurrentReads(
            "Another request stored reads of the same device at the same time; send the batch again.",
        ) from error


def late_spans(stored: list[Stored], states: dict[uuid.UUID, OngoingState]) -> list[LateSpan]:
    """Per device, the span of its accepted reads with energy that start before its time certified so far ends:
    energy the late-read pass must look at (R-READ-9, ADR 0124). The device's state is locked, so issuance cannot
    move `certified_until` on until this batch is committed, and then its certification sees these reads."""
    if all(state.certified_until is None for state in states.values()):
        return []
    spans: dict[uuid.UUID, LateSpan] = {}
    for item in stored:
        until, verdict = states[item.device.id].certified_until, item.verdict
        if until is None or verdict.status != ReadStatus.ACCEPTED or verdict.energy_wh <= 0:
            continue
        assert verdict.start is not None  # an accepted read has a start
        if verdict.start >= until:
            continue
        known = spans.get(item.device.id)
        start, end = verdict.start, item.candidate.end
        if known is not None:
            start, end = min(start, known.period_start), max(end, known.period_end)
        spans[item.device.id] = LateSpan(item.device.id, start, end)
    return list(spans.values())


def read_row(item: Stored, now: datetime) -> ReadRow:
    verdict, device = item.verdict, item.device
    certifiable = verdict.status != ReadStatus.BASELINE
    # positional, in the columns' order (`ReadRow`): keywords cost more than building the row (ADR 0060)
    return ReadRow(
        device.id,
        item.read_type,
        verdict.status,
        verdict.reason,
        verdict.start,
        item.candidate.end,
        item.candidate.value_wh,
        verdict.energy_wh,
        verdict.max_energy_wh,
        MAX_ENERGY_RULE,
        device.yield_kwh_per_kwp if certifiable else None,
        device.yield_source if certifiable else None,
        item.clear_sky_wh,
        CLEAR_SKY_RULE if item.location_source not in (None, UNKNOWN) else None,
        item.location_source,
        now,  # received_at
        now if item.review_policy else None,  # reviewed_at
        item.review_policy,
    )
