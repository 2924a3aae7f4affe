"""Effects after commit (ADR 0063): registered by use cases on their unit of work, run only once it committed."""

import logging

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import func, select

from dapp import platform
from dapp.db import after_commit, savepoint
from dapp.models.reads import CountryYield


class Boom(Exception):
    pass


def _yields() -> int:
    with platform.current().db.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(CountryYield)) or 0


def _write_yield(session, code: str = "KEN") -> None:
    session.add(CountryYield(country_code=code, yield_kwh_per_kwp=1500, updated_at=platform.current().clock.now()))
    session.flush()


def test_effects_run_after_the_commit_in_order_and_once_per_key(app) -> None:
    ran: list[str] = []
    seen_rows: list[int] = []
    with platform.current().db.unit_of_work() as session:
        _write_yield(session)
        after_commit(session, lambda: seen_rows.append(_yields()))
        after_commit(session, lambda: ran.append("first"), key="same")
        after_commit(session, lambda: ran.append("again"), key="same")
        after_commit(session, lambda: ran.append("second"))
        assert ran == []
    assert ran == ["first", "second"]
    assert seen_rows == [1], "the effect ran before its unit of work was committed"


def test_a_unit_of_work_that_fails_runs_no_effect_and_keeps_nothing(app) -> None:
    ran: list[str] = []
    with pytest.raises(Boom), platform.current().db.unit_of_work() as session:  # noqa: PT012 - the work, then the failure
        _write_yield(session)
        after_commit(session, lambda: ran.append("effect"))
        raise Boom
    assert (ran, _yields()) == ([], 0)


def test_a_savepoint_that_rolls_back_takes_its_effects_with_it(app) -> None:
    ran: list[str] = []
    with platform.current().db.unit_of_work() as session:
        after_commit(session, lambda: ran.append("before"))
        with pytest.raises(Boom), savepoint(session):  # noqa: PT012 - the work, then the failure
            _write_yield(session, "UGA")
            after_commit(session, lambda: ran.append("inside"))
            raise Boom
        _write_yield(session, "KEN")
    assert ran == ["before"]
    assert _yields() == 1


def test_an_effect_that_cannot_reach_redis_is_logged_and_the_work_stays(app, caplog) -> None:
    ran: list[str] = []

    def unreachable() -> None:
        raise RedisConnectionError("connection refused")

    with caplog.at_level(logging.WARNING, logger="dapp.db"), platform.current().db.unit_of_work() as session:
        _write_yield(session)
        after_commit(session, unreachable)
        after_commit(session, lambda: ran.append("next"))
    assert (_yields(), ran) == (1, ["next"])
    assert "ConnectionError" in caplog.text


def _queued(name: str) -> list[tuple[str, tuple]]:
    queue = platform.current().queue(platform.QUEUES.get(name, "default"))
    return [(job.description, job.args) for job in queue.get_jobs()]


def test_a_job_asked_for_is_queued_by_name_once_committed_and_once_per_ids(app) -> None:
    with platform.current().db.unit_of_work() as session:
        platform.enqueue_after_commit(session, "accounts.send_confirmation", "a-user-id")
        platform.enqueue_after_commit(session, "accounts.send_confirmation", "a-user-id")
        assert _queued("accounts.send_confirmation") == []
    # the name is what RQ logs: never the arguments
    assert _queued("accounts.send_confirmation") == [("accounts.send_confirmation", ("a-user-id",))]


def test_a_job_asked_for_by_a_failed_unit_of_work_is_never_queued(app) -> None:
    with pytest.raises(Boom), platform.current().db.unit_of_work() as session:  # noqa: PT012 - the work, then the failure
        platform.enqueue_after_commit(session, "accounts.send_confirmation", "a-user-id")
        raise Boom
    assert _queued("accounts.send_confirmation") == []
