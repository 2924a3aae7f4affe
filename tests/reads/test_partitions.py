"""Monthly partitions of `meter_read` (ADR 0030): made for whatever months a batch's reads fall in, and ahead of
time by the scheduler's job and by `drec reads partitions`."""

from datetime import UTC, datetime

from sqlalchemy import text

from dapp import cli, platform
from tests.factories.devices import make_device
from tests.reads.conftest import NOW
from tests.reads.test_ingest import history, post, statuses, stored
from tests.support.workers import run_jobs, scheduler_tick


def partitions() -> set[str]:
    with platform.current().db.unit_of_work() as session:
        return set(session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'meter_read_part'")))


def test_a_batch_over_several_months_gets_a_partition_for_each_of_them(app, developer) -> None:
    """Months before the partitions the migration makes (2023 onwards), in any order, with months between them
    that no read falls in."""
    clock = platform.current().clock
    clock.set(datetime(2025, 6, 1, tzinfo=UTC))
    old_device = make_device(developer, "OLD", commissioning=datetime(2022, 1, 1).date())
    clock.set(NOW)
    body = history(
        ("2022-09-10T08:00Z", "2022-09-10T09:00Z", 100),
        ("2022-07-01T08:00Z", "2022-07-01T09:00Z", 100),
        ("2022-11-30T08:00Z", "2022-11-30T09:00Z", 100),
    )
    response = post(app, developer, body, external_id=old_device.external_id, query="?acknowledge_old=true")
    assert statuses(response) == [("accepted", None)] * 3
    assert stored() == (3, 0)


def test_drec_reads_partitions_makes_each_coming_month_once(app, capsys) -> None:
    """From 30 January, beyond the months the migration makes: February is not skipped."""
    platform.current().clock.set(datetime(2028, 1, 30, 12, tzinfo=UTC))
    cli.main(["reads", "partitions", "--months", "2"])
    cli.main(["reads", "partitions", "--months", "2"])
    assert capsys.readouterr().out.splitlines() == [
        "created: 2028-01, 2028-02, 2028-03",
        "created: nothing (all there)",
    ]


def test_the_scheduler_makes_the_partitions_of_the_coming_months(app) -> None:
    platform.current().clock.set(datetime(2029, 11, 15, tzinfo=UTC))
    scheduler_tick()
    run_jobs()
    assert {"m2029_11", "m2029_12", "m2030_01", "m2030_02"} <= partitions()
    assert "m2030_03" not in partitions()
