"""`drec` for operators (R-CLI-1, ADR 0092): each command through the parser as `drec` runs it, against this
run's PostgreSQL, Redis and chain."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dapp import cli, operate, platform
from dapp.chain.accounts import managed_account_key
from dapp.issuance import jobs as issuance_jobs
from dapp.models.accounts import Organization
from dapp.models.audit import AuditEntry
from dapp.models.chain import ChainEvent, OutboxEntry, OutboxKind, OutboxStatus
from dapp.platform import Platform
from scripts.devstack import free_port
from tests.factories.accounts import make_org
from tests.indexer import onchain
from tests.indexer.test_follower import checkpoint_block, holdings, index, row_counts

NEW_SECRET = "a-new-secret-key-of-at-least-32-characters"


def drec(*args: str) -> None:
    parsed = cli._parser().parse_args(args)
    parsed.handler(parsed)


def test_every_command_names_the_servers_it_talks_to_without_passwords(app, settings) -> None:
    text = operate.describe(
        settings.model_copy(
            update={
                "database_url": "postgresql+psycopg://drec:hunter2@db.example/drec",
                "redis_url": "redis://:pw@r:6380/1",
            }
        )
    )
    assert "postgresql+psycopg://drec:***@db.example/drec" in text
    assert "redis://:***@r:6380/1" in text
    assert f"chain {settings.chain_rpc_url} (chain id 31337)" in text
    assert "hunter2" not in text
    assert ":pw@" not in text


def test_health_reports_every_dependency_and_fails_when_one_is_down(app, settings, capsys) -> None:
    drec("health")
    report = json.loads(capsys.readouterr().out)
    assert report["healthy"] is True
    assert report["problems"] == {"database": None, "redis": None, "chain": None}
    assert report["queue_depths"] == {"default": 0, "chain": 0, "bulk": 0, "email": 0, "webhooks": 0}

    previous = platform.current()
    platform.install(Platform(settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})))
    try:
        with pytest.raises(SystemExit) as exit_:
            drec("health")
    finally:
        platform.install(previous)
    assert exit_.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["healthy"] is False
    assert report["problems"]["redis"].startswith("ConnectionError")


def test_outbox_retry_makes_failed_entries_due_and_is_audited(app, capsys) -> None:
    p = platform.current()
    with p.db.unit_of_work() as session:
        entry = OutboxEntry(
            kind=OutboxKind.LOG_RESERVATION_CREATED,
            subject_id="0" * 32,
            status=OutboxStatus.FAILED,
            attempts=12,
            last_error="ConnectionError",
            created_at=p.clock.now(),
        )
        session.add(entry)
    drec("outbox", "retry", "--failed")
    assert f"entry {entry.id} (log_reservation_created): due now" in capsys.readouterr().out
    with p.db.unit_of_work() as session:
        retried = session.get_one(OutboxEntry, entry.id)
        assert (retried.status, retried.attempts) == (OutboxStatus.PENDING, 0)
        [audit] = session.scalars(select(AuditEntry).where(AuditEntry.action == "chain_outbox.retry")).all()
        assert audit.before["attempts"] == 12
    with pytest.raises(SystemExit, match="name entry ids, or --failed"):
        drec("outbox", "retry", "--failed")


def test_keys_rotate_re_encrypts_every_managed_key(app, settings, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    make_org("Alpha")
    make_org("Beta")
    before = _managed_keys(settings.secret_key)
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW_SECRET + "\n"))
    drec("keys", "rotate")
    assert "2 organization key(s) re-encrypted" in capsys.readouterr().out
    assert _managed_keys(NEW_SECRET) == before

    monkeypatch.setattr("sys.stdin", io.StringIO("yet-another-secret-key-of-32-characters!\n"))
    with pytest.raises(SystemExit, match="does not open with the current secret key; nothing was changed"):
        drec("keys", "rotate")  # the settings still hold the old secret: the keys no longer open with it
    assert _managed_keys(NEW_SECRET) == before


def _managed_keys(secret: str) -> dict[str, bytes]:
    with platform.current().db.unit_of_work() as session:
        organizations = session.scalars(select(Organization).where(Organization.encrypted_private_key.is_not(None)))
        return {o.name: managed_account_key(secret, o.encrypted_private_key or b"") for o in organizations}


def test_signer_balance(app, capsys) -> None:
    drec("signer", "balance")
    answer = json.loads(capsys.readouterr().out)
    assert answer["address"] == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    assert answer["balance_wei"] > 0


def test_indexer_replay_writes_the_same_events_again(app, capsys) -> None:
    alice, bob = onchain.new_wallet(), onchain.new_wallet()
    [token] = onchain.issue(alice.address, 1_000)
    onchain.transfer(alice, bob.address, token, 400)
    assert index() > 0
    before, head = row_counts(), checkpoint_block()
    with platform.current().db.unit_of_work() as session:
        transfer_block = max(session.scalars(select(ChainEvent.block_number)))

    drec("indexer", "replay", "--from-block", str(transfer_block))
    assert f"the indexer continues from block {transfer_block}" in capsys.readouterr().out
    assert checkpoint_block() == transfer_block - 1
    assert holdings(bob.address) == {}  # the transfer is forgotten until indexed again
    assert index() > 0
    assert (row_counts(), checkpoint_block()) == (before, head)
    assert holdings(bob.address) == {token: 400}


def test_the_late_read_pass_follows_the_platform_clock(app) -> None:
    p = platform.current()
    start = datetime(2026, 7, 1, 12, tzinfo=UTC)
    p.clock.set(start)
    assert issuance_jobs.enqueue_late_windows_job() == 0  # nothing late, but the pass ran
    assert _last_pass_near(start)
    p.clock.set(start + timedelta(hours=3))
    issuance_jobs.enqueue_late_windows_job()
    assert _last_pass_near(start), "a pass ran before 4 hours of platform time had passed"
    p.clock.set(start + timedelta(hours=4, minutes=1))
    issuance_jobs.enqueue_late_windows_job()
    assert _last_pass_near(start + timedelta(hours=4, minutes=1)), "moving the clock 4 hours on did not trigger it"


def _last_pass_near(instant: datetime) -> bool:
    raw = platform.current().redis.get(issuance_jobs.LATE_READS_KEY)
    assert raw is not None
    return abs(datetime.fromisoformat(raw.decode()) - instant) < timedelta(minutes=1)


def test_migrate_and_late_issuance_on_demand(app, capsys) -> None:
    drec("migrate")
    drec("issuance", "late")
    out = capsys.readouterr().out
    assert "database at the newest revision" in out
    assert json.loads(out.splitlines()[-1]) == {"certificates": []}
