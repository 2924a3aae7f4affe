"""The single-read express lane (ADR 0058): it stores exactly what the full path stores, and every request it cannot
complete in one statement is left, with nothing written, to the full path."""

import itertools
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from dapp import platform
from dapp.models.accounts import ApiKey
from dapp.reads import express, partitions
from dapp.reads.store import ReadRow, write_read_if_unchanged
from dapp.reads.validation import OngoingState
from tests.factories.accounts import bearer, make_api_key, make_org
from tests.factories.devices import make_device
from tests.reads.conftest import NOW, ONBOARDED, at
from tests.reads.test_ingest import delta, history, post, statuses, stored


@pytest.fixture
def lane(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What the express lane answered, request by request (None: it left the request to the full path)."""
    answers: list[Any] = []
    record_read = express.record_read

    def watched(*args: Any) -> Any:
        answers.append(record_read(*args))
        return answers[-1]

    monkeypatch.setattr(express, "record_read", watched)
    return answers


def rows_of(table: str, external_id: str, order: str = "") -> list[Any]:
    statement = {
        "meter_read": "SELECT r.* FROM meter_read AS r JOIN device AS d ON d.id = r.device_id",
        "device_read_state": "SELECT r.* FROM device_read_state AS r JOIN device AS d ON d.id = r.device_id",
    }[table]
    with platform.current().db.unit_of_work() as session:
        return list(session.execute(text(f"{statement} WHERE d.external_id = :id {order}"), {"id": external_id}))


def reads_of(external_id: str) -> list[dict[str, Any]]:
    """The stored reads of a device in time order, every column but the ids and the instant it was received."""
    rows = rows_of("meter_read", external_id, "ORDER BY r.period_end")
    return [{k: v for k, v in row._asdict().items() if k not in ("id", "device_id", "received_at")} for row in rows]


def state_of(external_id: str) -> OngoingState:
    [row] = rows_of("device_read_state", external_id)
    return OngoingState(
        row.device_id, row.ongoing_type, row.last_end_at, row.last_register_wh, row.next_baseline_reason
    )


def values(state: OngoingState) -> tuple[object, ...]:
    return state.ongoing_type, state.last_end, state.last_register, state.next_baseline_reason


def test_the_lane_stores_what_the_full_path_stores(app, developer, lane) -> None:
    platform.current().clock.set(ONBOARDED)
    make_device(developer, "DEV-2")
    platform.current().clock.set(NOW)
    # a baseline, two certifiable reads, and one at night (23:00 to 00:00 in Nairobi), above a clear sky's 0 Wh
    for n, (hours, value) in enumerate([(1, 400), (2, 900), (10, 800), (11, 50)]):
        fast = post(app, developer, delta((hours, value)))
        full = post(app, developer, delta((hours, value)), external_id="DEV-2", headers={"Idempotency-Key": f"k{n}"})
        assert (fast.status_code, fast.json["results"]) == (full.status_code, full.json["results"])
    # the key's first use is written by the full path; then the lane answers, but for the flagged read, which the
    # full path stores and announces to webhooks
    assert [answer is not None for answer in lane] == [False, True, True, False]
    assert statuses(fast) == [("flagged", "exceeds_clear_sky")]
    assert reads_of("DEV-1") == reads_of("DEV-2")
    assert len(reads_of("DEV-1")) == 4
    assert values(state_of("DEV-1")) == values(state_of("DEV-2"))


@pytest.mark.parametrize(
    ("body", "query", "status", "results"),
    [
        (delta((1, 100), (2, 300)), "", 200, [("accepted", None), ("accepted", None)]),
        (delta((49, 400)), "", 200, [("rejected", "in_future")]),
        (delta((0.5, 400)), "", 200, [("rejected", "not_after_previous")]),
        (history((at(-2).isoformat(), at(-1).isoformat(), 400)), "", 200, [("accepted", None)]),
        (delta((2, 400), unit="J"), "", 422, None),
        (delta((2, 400)), "?atomic=true", 200, [("accepted", None)]),
    ],
)
def test_requests_the_lane_cannot_complete_take_the_full_path_and_are_stored_once(
    app, developer, lane, body, query, status, results
) -> None:
    post(app, developer, delta((0.75, 400)))
    before = stored()
    response = post(app, developer, body, query=query)
    assert response.status_code == status
    if results is not None:
        assert statuses(response) == results
        accepted = sum(1 for s, _ in results if s != "rejected")
        assert stored() == (before[0] + accepted, before[1] + len(results) - accepted)
    else:
        assert stored() == before
    if query:  # atomic=true asks nothing of the lane when no read is rejected: it answers
        assert lane[-1] is not None
    else:
        assert lane[-1] is None


@pytest.mark.parametrize(
    ("external_id", "key", "status"),
    [("NOPE", None, 404), ("THEIRS", None, 404), ("DEV-1", "read-only", 403), ("DEV-1", "drec_bogus_key", 401)],
)
def test_refusals_are_the_full_paths(app, developer, lane, external_id, key, status) -> None:
    platform.current().clock.set(ONBOARDED)
    make_device(make_org("Other"), "THEIRS")
    platform.current().clock.set(NOW)
    post(app, developer, delta((1, 400)))
    if key == "read-only":
        key = make_api_key(developer.actor, {"meter_reads": ["READ"]})
        listed = app.test_client().get("/api/v1/devices/DEV-1/reads?from=2026-06-01&to=2026-06-02", headers=bearer(key))
        assert listed.status_code == 200  # its first use, written: the lane would take the key if it could
    headers = bearer(key) if key else {}
    response = post(app, developer, delta((3, 400)), external_id=external_id, headers=headers)
    assert response.status_code == status
    assert lane[-1] is None
    assert stored()[0] == 1


def test_an_idempotency_key_takes_the_full_path(app, developer, lane) -> None:
    post(app, developer, delta((1, 400)))
    first = post(app, developer, delta((2, 400)), headers={"Idempotency-Key": "once"})
    again = post(app, developer, delta((2, 400)), headers={"Idempotency-Key": "once"})
    assert again.json == first.json
    assert len(lane) == 1
    assert stored() == (2, 0)


def test_the_full_path_records_the_keys_use_once_a_minute(app, developer, lane) -> None:
    clock = platform.current().clock
    post(app, developer, delta((1, 400)))
    post(app, developer, delta((2, 400)))
    clock.set(NOW + timedelta(seconds=61))
    post(app, developer, delta((3, 400)))
    assert [answer is not None for answer in lane] == [False, True, False]
    with platform.current().db.unit_of_work() as session:
        assert session.scalar(select(ApiKey.last_used_at)) >= NOW + timedelta(seconds=61)


def test_a_month_whose_partition_this_process_has_not_seen_takes_the_full_path(app, developer, lane) -> None:
    post(app, developer, delta((1, 400)))
    partitions.forget()
    post(app, developer, delta((2, 400)))
    post(app, developer, delta((3, 400)))
    assert [answer is not None for answer in lane] == [False, False, True]


def test_a_state_moved_on_since_the_read_was_judged_writes_nothing(app, developer) -> None:
    post(app, developer, delta((1, 400)))
    judged = state_of("DEV-1")
    post(app, developer, delta((2, 400)))
    moved_on = state_of("DEV-1")
    read = ReadRow(
        judged.device_id, "delta", "accepted", None, at(2), at(3), 5, 5, 100, "max-energy/1",
        None, None, None, None, None, NOW, None, None,
    )  # fmt: skip
    after = OngoingState(judged.device_id, "delta", at(3))
    with platform.current().db.autocommit_connection() as connection:
        assert not write_read_if_unchanged(connection, read, judged, after)
        assert (stored(), state_of("DEV-1")) == ((2, 0), moved_on)
        assert write_read_if_unchanged(connection, read, moved_on, after)
    assert stored() == (3, 0)
    assert state_of("DEV-1").last_end == at(3)


def test_the_lane_connection_goes_back_to_the_pool_as_sessions_expect_it(app) -> None:
    db = platform.current().db
    with db.autocommit_connection() as connection:
        assert connection.autocommit
    assert not connection.autocommit
    assert not connection.closed
    with pytest.raises(RuntimeError), db.autocommit_connection() as failed:
        raise RuntimeError("a failure inside the lane")
    assert failed.closed


def test_concurrent_single_reads_of_one_device_are_each_stored_once_in_contiguous_intervals(app, developer) -> None:
    post(app, developer, delta((1, 10)))
    outcomes: list[tuple[str, str | None]] = []

    def send(hours: list[float]) -> None:
        client = app.test_client()
        for h in hours:
            response = client.post("/api/v1/devices/DEV-1/reads", json=delta((h, 10)), headers=developer.auth)
            outcomes.extend(statuses(response))

    # two senders, interleaved ends a minute apart: requests race for the same state, in both lanes
    ends = [1 + n / 60 for n in range(1, 81)]
    senders = [threading.Thread(target=send, args=(ends[i::2],)) for i in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    accepted = sum(1 for status, _ in outcomes if status == "accepted")
    assert accepted + outcomes.count(("rejected", "not_after_previous")) == len(ends)
    assert stored() == (1 + accepted, len(ends) - accepted)
    reads = reads_of("DEV-1")
    assert all(later["period_start"] == earlier["period_end"] for earlier, later in itertools.pairwise(reads))
    assert state_of("DEV-1").last_end == reads[-1]["period_end"]
