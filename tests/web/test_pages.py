"""The one shape of a page's form action (`attempt`, ADR 0066) and the one test for htmx fragments."""

import pytest
from flask import get_flashed_messages
from sqlalchemy import select

from dapp import platform
from dapp.db import after_commit
from dapp.errors import Conflict, field_error
from dapp.models.reads import CountryYield
from dapp.web.pages import Failed, attempt, is_htmx


def _write_yield(session, code: str) -> None:
    session.add(CountryYield(country_code=code, yield_kwh_per_kwp=1500, updated_at=platform.current().clock.now()))
    session.flush()


def _yields() -> list[str]:
    with platform.current().db.unit_of_work() as session:
        return list(session.scalars(select(CountryYield.country_code).order_by(CountryYield.country_code)))


def test_a_refused_action_leaves_nothing_while_the_pages_own_work_commits(app) -> None:
    ran: list[str] = []

    def refused_action(session) -> None:
        _write_yield(session, "UGA")
        after_commit(session, lambda: ran.append("refused action's effect"))
        raise field_error("country_code", "No yields for Uganda today.", "not_today")

    with app.test_request_context("/"), platform.current().db.unit_of_work() as session:
        _write_yield(session, "KEN")  # the page's own work
        outcome = attempt(session, lambda: refused_action(session))
        flashed = get_flashed_messages(with_categories=True)
    assert isinstance(outcome, Failed)
    assert (outcome.status, outcome.field_errors) == (422, {"country_code": "No yields for Uganda today."})
    assert flashed == [("error", "No yields for Uganda today.")]
    assert (_yields(), ran) == (["KEN"], [])


def test_a_successful_action_returns_its_result_and_flashes_nothing(app) -> None:
    with app.test_request_context("/"), platform.current().db.unit_of_work() as session:
        outcome = attempt(session, lambda: _write_yield(session, "KEN") or "done")
        assert get_flashed_messages() == []
    assert (outcome, _yields()) == ("done", ["KEN"])


def test_only_domain_errors_are_turned_into_a_refusal(app) -> None:
    class Bug(Exception):
        pass

    def broken() -> None:
        raise Bug

    def taken() -> None:
        raise Conflict("taken")

    with pytest.raises(Bug), app.test_request_context("/"), platform.current().db.unit_of_work() as session:
        attempt(session, broken)
    with app.test_request_context("/"), platform.current().db.unit_of_work() as session:
        assert isinstance(attempt(session, taken), Failed)


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({}, False),
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "true", "HX-Boosted": "true"}, False),  # a boosted link or form wants the whole page
    ],
    ids=["plain", "htmx", "boosted"],
)
def test_htmx_asks_for_a_fragment_unless_boosted(app, headers: dict[str, str], fragment: bool) -> None:
    with app.test_request_context("/", headers=headers):
        assert is_htmx() is fragment
