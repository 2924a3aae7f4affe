"""Recording audit entries (R-ACC-11): who, what, when, before/after, in the caller's transaction."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dapp import platform
from dapp.audit import service
from dapp.models.audit import AuditEntry
from tests.factories.accounts import make_org

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_an_entry_records_actor_subject_time_and_a_json_summary(app, settings) -> None:
    org = make_org("Audited Org")
    device_id = uuid.uuid4()
    with platform.current().db.unit_of_work() as session:
        service.record(
            session,
            org.actor,
            "device.update",
            "device",
            device_id,
            before={"capacity_kw": Decimal("5.000")},
            after={"capacity_kw": Decimal("7.500"), "checked_on": datetime(2026, 2, 1, tzinfo=UTC)},
            now=NOW,
        )
    with platform.current().db.unit_of_work() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "device.update")).one()
        assert entry.organization_id == org.actor.organization_id
        assert entry.actor_user_id == org.actor.user_id
        assert entry.actor_api_key_id is None
        assert (entry.subject_type, entry.subject_id, entry.at) == ("device", str(device_id), NOW)
        assert entry.before == {"capacity_kw": "5.000"}
        assert entry.after == {"capacity_kw": "7.500", "checked_on": "2026-02-01T00:00:00Z"}


def test_an_entry_disappears_with_the_change_it_describes_when_the_transaction_fails(app, settings) -> None:
    org = make_org("Audited Org")

    class Boom(RuntimeError):
        pass

    def failing_use_case() -> None:
        with platform.current().db.unit_of_work() as session:
            service.record(session, org.actor, "device.create", "device", "DEV-1", now=NOW)
            raise Boom

    with pytest.raises(Boom):
        failing_use_case()
    with platform.current().db.unit_of_work() as session:
        assert session.scalar(select(func.count()).where(AuditEntry.action == "device.create")) == 0


def test_an_anonymous_step_goes_to_the_organization_it_names(app, settings) -> None:
    org = make_org("Audited Org")
    with platform.current().db.unit_of_work() as session:
        entry = service.record(
            session, None, "user.login_failed", "user", "x", now=NOW, organization_id=org.actor.organization_id
        )
        assert (entry.organization_id, entry.actor_user_id, entry.actor_api_key_id) == (
            org.actor.organization_id,
            None,
            None,
        )


def test_changes_keeps_only_the_fields_that_differ() -> None:
    assert service.changes({"name": "A", "address": "X"}, {"name": "B", "address": "X"}) == (
        {"name": "A"},
        {"name": "B"},
    )
