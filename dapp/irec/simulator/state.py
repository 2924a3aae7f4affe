"""The simulator's registry state in one SQLite file, and the rules that change it.

Every creating call is idempotent by client key: the same key with the same body answers the stored object,
with another body it is refused. A submitted registration or issue request is decided when it is first read
after its `decide_at`; the outcome was fixed at submission by the behaviour then in force, serials are drawn at
decision time from one counter, so ranges never overlap unless `next_serial` is forced back (a fault to test).
"""

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS behaviour (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS account (code TEXT PRIMARY KEY, balance_mwh INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS registration (
    id TEXT PRIMARY KEY, client_key TEXT UNIQUE NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,
    reason TEXT, decide_at REAL NOT NULL, planned_reason TEXT);
CREATE TABLE IF NOT EXISTS issue (
    id TEXT PRIMARY KEY, client_key TEXT UNIQUE NOT NULL, body TEXT NOT NULL, device TEXT NOT NULL,
    volume_mwh INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT, decide_at REAL NOT NULL,
    planned_reason TEXT, planned_shortfall INTEGER NOT NULL DEFAULT 0, approved_mwh INTEGER,
    serial_first INTEGER, serial_last INTEGER, redeemed_mwh INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS redemption (
    id TEXT PRIMARY KEY, client_key TEXT UNIQUE NOT NULL, body TEXT NOT NULL, issue TEXT NOT NULL,
    volume_mwh INTEGER NOT NULL, reference TEXT NOT NULL, serial_first INTEGER NOT NULL,
    serial_last INTEGER NOT NULL, redeemed_at REAL NOT NULL);
"""

DEFAULTS: dict[str, Any] = {
    "approval_delay_seconds": 0.0,
    "reject_with": None,  # a reason: every registration and issue request submitted now is rejected with it
    "shortfall_mwh": 0,  # issue requests submitted now are approved for this many MWh fewer
    "next_serial": 1,
}


class Refused(Exception):
    """A request the registry refuses (HTTP 4xx) with a reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def serial_label(number: int) -> str:
    """A serial number as the registry prints it."""
    return f"SIM-{number:012d}"


@dataclass
class Registry:
    path: Path
    accounts: tuple[str, str]  # the platform account's code, the redemption account's code

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(SCHEMA)
        for code in self.accounts:
            self._db.execute("INSERT OR IGNORE INTO account (code) VALUES (?)", (code,))

    def transaction(self) -> "_Transaction":
        return _Transaction(self)

    # behaviour

    def behaviour(self) -> dict[str, Any]:
        stored = {row["name"]: json.loads(row["value"]) for row in self._db.execute("SELECT * FROM behaviour")}
        return DEFAULTS | stored

    def set_behaviour(self, changes: dict[str, Any]) -> dict[str, Any]:
        unknown = set(changes) - set(DEFAULTS)
        if unknown:
            raise Refused(422, f"unknown behaviour: {', '.join(sorted(unknown))}")
        for name, value in changes.items():
            self._db.execute("INSERT OR REPLACE INTO behaviour VALUES (?, ?)", (name, json.dumps(value)))
        return self.behaviour()

    # registrations

    def register(self, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Submit a device group; returns it and whether it is new."""
        _require(body, "client_key", "name", "country", "fuel", "device_type", "devices")
        if existing := self._by_key("registration", body):
            return self.registration(existing["id"]), False
        rules = self.behaviour()
        row_id = f"DG-{uuid.uuid4().hex[:10].upper()}"
        self._db.execute(
            "INSERT INTO registration VALUES (?, ?, ?, 'submitted', NULL, ?, ?)",
            (row_id, body["client_key"], _canonical(body), _decide_at(rules), rules["reject_with"]),
        )
        return self.registration(row_id), True

    def registration(self, row_id: str) -> dict[str, Any]:
        row = self._one("registration", row_id)
        if row["status"] == "submitted" and time.time() >= row["decide_at"]:
            status = "rejected" if row["planned_reason"] else "approved"
            self._db.execute(
                "UPDATE registration SET status = ?, reason = ? WHERE id = ?", (status, row["planned_reason"], row_id)
            )
            row = self._one("registration", row_id)
        return {"id": row["id"], "client_key": row["client_key"], "status": row["status"], "reason": row["reason"]}

    # issue requests

    def request_issue(self, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        _require(body, "client_key", "device", "period_start", "period_end", "volume_mwh")
        volume = body["volume_mwh"]
        if not isinstance(volume, int) or isinstance(volume, bool) or volume < 1:
            raise Refused(422, "volume_mwh must be a whole number of MWh, at least 1")
        if existing := self._by_key("issue", body):
            return self.issue(existing["id"]), False
        device = self.registration(str(body["device"]))
        if device["status"] != "approved":
            raise Refused(422, f"device group {body['device']} is not approved (it is {device['status']})")
        rules = self.behaviour()
        row_id = f"IS-{uuid.uuid4().hex[:10].upper()}"
        self._db.execute(
            "INSERT INTO issue (id, client_key, body, device, volume_mwh, status, decide_at, planned_reason,"
            " planned_shortfall) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
            (
                row_id, body["client_key"], _canonical(body), body["device"], volume, _decide_at(rules),
                rules["reject_with"], min(int(rules["shortfall_mwh"]), volume - 1),
            ),
        )  # fmt: skip
        return self.issue(row_id), True

    def issue(self, row_id: str) -> dict[str, Any]:
        row = self._one("issue", row_id)
        if row["status"] == "pending" and time.time() >= row["decide_at"]:
            self._decide_issue(row)
            row = self._one("issue", row_id)
        answer = {key: row[key] for key in ("id", "client_key", "device", "volume_mwh", "status", "reason")}
        answer["approved_mwh"] = row["approved_mwh"]
        answer["serials"] = _serials(row["serial_first"], row["serial_last"])
        return answer

    def _decide_issue(self, row: sqlite3.Row) -> None:
        if row["planned_reason"]:
            self._db.execute(
                "UPDATE issue SET status = 'rejected', reason = ? WHERE id = ?", (row["planned_reason"], row["id"])
            )
            return
        approved = row["volume_mwh"] - row["planned_shortfall"]
        first = int(self.behaviour()["next_serial"])
        self.set_behaviour({"next_serial": first + approved})
        self._db.execute(
            "UPDATE issue SET status = 'approved', approved_mwh = ?, serial_first = ?, serial_last = ? WHERE id = ?",
            (approved, first, first + approved - 1, row["id"]),
        )
        self._credit(self.accounts[0], approved)

    # accounts and redemptions

    def account(self, code: str) -> dict[str, Any]:
        row = self._db.execute("SELECT * FROM account WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise Refused(404, f"no account {code}")
        return {"code": row["code"], "balance_mwh": row["balance_mwh"]}

    def redeem(self, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        _require(body, "client_key", "issue", "volume_mwh", "beneficiary", "period_start", "period_end")
        if existing := self._by_key("redemption", body):
            return self.redemption(existing["id"]), False
        issue = self.issue(str(body["issue"]))
        if issue["status"] != "approved":
            raise Refused(422, f"issue {issue['id']} is not approved (it is {issue['status']})")
        first, volume = self._redeemable(self._one("issue", issue["id"]), body)
        row_id = f"RD-{uuid.uuid4().hex[:10].upper()}"
        reference = f"RED-{uuid.uuid4().hex[:12].upper()}"
        self._db.execute(
            "INSERT INTO redemption VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row_id, body["client_key"], _canonical(body), issue["id"], volume, reference, first, first + volume - 1,
             time.time()),
        )  # fmt: skip
        self._db.execute("UPDATE issue SET redeemed_mwh = redeemed_mwh + ? WHERE id = ?", (volume, issue["id"]))
        self._credit(self.accounts[0], -volume)
        self._credit(self.accounts[1], volume)
        return self.redemption(row_id), True

    def _redeemable(self, issue: sqlite3.Row, body: dict[str, Any]) -> tuple[int, int]:
        """The first serial and the MWh to redeem: `serial_first` if given, else the issue's next unredeemed."""
        volume = body["volume_mwh"]
        first = body.get("serial_first", issue["serial_first"] + issue["redeemed_mwh"])
        if not isinstance(volume, int) or not isinstance(first, int) or volume < 1:
            raise Refused(422, "volume_mwh and serial_first must be whole numbers, volume_mwh at least 1")
        last = first + volume - 1
        if first < issue["serial_first"] or last > issue["serial_last"]:
            raise Refused(422, f"serials {first}-{last} are not all in issue {issue['id']}")
        taken = self._db.execute(
            "SELECT 1 FROM redemption WHERE issue = ? AND serial_first <= ? AND serial_last >= ?",
            (issue["id"], last, first),
        ).fetchone()
        if taken is not None:
            raise Refused(422, f"serials {first}-{last} of issue {issue['id']} are redeemed already")
        return first, volume

    def redemption(self, row_id: str) -> dict[str, Any]:
        row = self._one("redemption", row_id)
        body = json.loads(row["body"])
        return {
            "id": row["id"],
            "client_key": row["client_key"],
            "issue": row["issue"],
            "volume_mwh": row["volume_mwh"],
            "reference": row["reference"],
            "beneficiary": body["beneficiary"],
            "period_start": body["period_start"],
            "period_end": body["period_end"],
            "serials": _serials(row["serial_first"], row["serial_last"]),
            "account": self.accounts[1],
        }

    # helpers

    def _credit(self, code: str, mwh: int) -> None:
        self._db.execute("UPDATE account SET balance_mwh = balance_mwh + ? WHERE code = ?", (mwh, code))

    def _one(self, table: str, row_id: str) -> sqlite3.Row:
        row = self._db.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()  # noqa: S608 - fixed names
        if row is None:
            raise Refused(404, f"no {table} {row_id}")
        return row

    def _by_key(self, table: str, body: dict[str, Any]) -> sqlite3.Row | None:
        query = f"SELECT id, body FROM {table} WHERE client_key = ?"  # noqa: S608 - fixed table names
        row = self._db.execute(query, (body["client_key"],)).fetchone()
        if row is not None and row["body"] != _canonical(body):
            raise Refused(409, f"client key {body['client_key']} was used for a different request")
        return row


class _Transaction:
    """One request's work: under the process's lock, in one SQLite transaction."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def __enter__(self) -> Registry:
        self.registry._lock.acquire()
        self.registry._db.execute("BEGIN IMMEDIATE")
        return self.registry

    def __exit__(self, kind: object, *_: object) -> None:
        try:
            self.registry._db.execute("ROLLBACK" if kind else "COMMIT")
        finally:
            self.registry._lock.release()


def _require(body: dict[str, Any], *names: str) -> None:
    missing = [name for name in names if body.get(name) in (None, "")]
    if missing:
        raise Refused(422, f"missing fields: {', '.join(missing)}")


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def _decide_at(rules: dict[str, Any]) -> float:
    return time.time() + float(rules["approval_delay_seconds"])


def _serials(first: int | None, last: int | None) -> dict[str, Any] | None:
    if first is None or last is None:
        return None
    return {"first": first, "last": last, "start": serial_label(first), "end": serial_label(last)}
