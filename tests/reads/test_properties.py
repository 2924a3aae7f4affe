"""Property: any sequence of valid delta or aggregate reads gives intervals that are contiguous, never overlap,
and add up to the meter's total (R-READ-4, R-READ-5) — checked on the validator itself, many sequences."""

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from dapp.models.reads import ReadStatus
from dapp.reads.schemas import ReadType
from dapp.reads.validation import Candidate, DeviceContext, OngoingState, OngoingValidator, Policy

ONBOARDED = datetime(2026, 6, 1, tzinfo=UTC)
DEVICE = DeviceContext(
    uuid.uuid4(),
    "P-1",
    "UTC",
    "KEN",
    Decimal(1_000_000),
    date(2026, 1, 1),
    ONBOARDED,
    None,
    None,
    Decimal(8760),
    "device",
)
POLICY = Policy(
    now=ONBOARDED + timedelta(days=3650),
    clock_skew=timedelta(minutes=5),
    baseline_gap=timedelta(days=30),
    default_yield=Decimal(2000),
)

steps = st.lists(
    st.tuples(st.integers(min_value=1, max_value=29 * 24 * 60), st.integers(min_value=0, max_value=10_000)),
    min_size=1,
    max_size=40,
)


def judge(read_type: ReadType, reads: list[tuple[int, int]]) -> list[tuple[Candidate, object]]:
    validator = OngoingValidator(DEVICE, OngoingState(DEVICE.id), read_type, POLICY)
    end, register, judged = ONBOARDED, 0, []
    for index, (minutes, energy) in enumerate(reads):
        end += timedelta(minutes=minutes)
        register += energy
        value = energy if read_type == ReadType.DELTA else register
        candidate = Candidate(index, None, end, value)
        judged.append((candidate, validator.check(candidate)))
    return judged


@settings(max_examples=200, deadline=None)
@given(steps)
def test_delta_reads_give_contiguous_intervals_summing_to_the_meter_total(reads) -> None:
    judged = judge(ReadType.DELTA, reads)
    # the meter counted every value; the first one is the baseline, everything after it is in the intervals
    assert_contiguous_and_complete(judged, certified=sum(energy for _, energy in reads[1:]), baseline=reads[0][1])


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), steps)
def test_aggregate_reads_give_contiguous_intervals_summing_to_the_register_increase(first_register, reads) -> None:
    shifted = [(reads[0][0], first_register), *reads[1:]]
    judged = judge(ReadType.AGGREGATE, shifted)
    register_increase = judged[-1][0].value_wh - first_register
    assert_contiguous_and_complete(judged, certified=register_increase, baseline=0)


def assert_contiguous_and_complete(judged, certified: int, baseline: int) -> None:
    (first, first_verdict), *rest = judged
    assert first_verdict.status == ReadStatus.BASELINE
    assert first_verdict.energy_wh == baseline
    previous_end = first.end
    for candidate, verdict in rest:
        assert verdict.status == ReadStatus.ACCEPTED
        assert verdict.start == previous_end  # contiguous: each interval starts where the last one ended
        assert verdict.start < candidate.end  # never empty, so never overlapping
        previous_end = candidate.end
    assert sum(verdict.energy_wh for _, verdict in rest) == certified
