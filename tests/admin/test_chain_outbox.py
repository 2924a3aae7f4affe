"""Platform admins see what the chain outbox could not do yet and retry it now (R-ISS-6): failed, backing-off
and in-flight entries with their subject, attempts, last error and next attempt; "retry now" is audited."""

import pytest

from dapp import platform
from dapp.audit import service as audit
from dapp.audit.schemas import AuditQuery
from dapp.chain import jobs
from dapp.chain.sending import ChainPaused
from dapp.issuance import onchain as mints
from dapp.reservations import onchain as reservation_log
from tests.factories.accounts import make_org, make_platform_admin, signed_in
from tests.factories.certificates import BUYER, pending_certificates
from tests.issuance.test_claims import CLAIM
from tests.support.chain import ONE_TRY, new_run, outbox_entries, unreachable
from tests.support.workers import run_indexer, run_jobs
from tests.test_slice import build_slice, certificates

OPERATOR = "operator@platform.example"
LIST = "/api/v1/admin/chain-outbox"


def fail_everything_once(settings) -> None:
    """With the chain unreachable, the reservation's log entry backs off after a failed try; the mints, whose
    policy allows one try here, fail for good."""
    assert "ConnectionError" in jobs.submit_outbox(new_run(unreachable(settings)))["paused"]
    with pytest.raises(ChainPaused):
        mints.send_mints(new_run(unreachable(settings), ONE_TRY))


def admin(app):
    make_platform_admin(OPERATOR)
    return signed_in(app, OPERATOR)


def test_a_platform_admin_lists_failed_and_retrying_entries_and_retries_one_now(app, settings) -> None:
    pending = pending_certificates(app)
    fail_everything_once(settings)
    operator = admin(app)

    listed = operator.api("GET", LIST).json
    assert [(e["kind"], e["status"], e["attempts"]) for e in listed] == [
        ("log_reservation_created", "pending", 1),
        *[("mint_certificate", "failed", 1)] * 3,
    ]
    log, *mints = listed
    assert log["next_attempt_at"] is not None
    assert log["last_error"].startswith("ConnectionError")
    assert (log["subject"]["type"], log["subject"]["organization_name"]) == ("reservation", BUYER)
    assert [m["subject"]["token_id"] for m in mints] == [str(t) for t in pending.token_ids]
    assert [m["next_attempt_at"] for m in mints] == [None] * 3

    retried = operator.api("POST", f"{LIST}/{mints[0]['id']}/retry")
    assert retried.status_code == 200, retried.json
    assert (retried.json["status"], retried.json["attempts"], retried.json["next_attempt_at"]) == ("pending", 0, None)
    assert platform.current().queue("chain").count == 1
    with platform.current().db.unit_of_work() as session:
        query = AuditQuery(organization_id=pending.buyer_organization_id, action="chain_outbox.")
        [entry], _ = audit.list_page(session, query)
    assert (entry.subject_id, entry.before["status"], entry.before["attempts"]) == (str(mints[0]["id"]), "failed", 1)
    assert entry.after["attempts"] == 0
    assert OPERATOR in entry.actor

    run_jobs()  # the chain is up: the retried mint goes through; the others wait (for an admin, for their backoff)
    assert [(e.kind, e.status) for e in outbox_entries(None)] == [
        ("log_reservation_created", "pending"),
        ("mint_certificate", "done"),
        ("mint_certificate", "failed"),
        ("mint_certificate", "failed"),
    ]
    assert [e["id"] for e in operator.api("GET", LIST).json] == [log["id"], mints[1]["id"], mints[2]["id"]]


def test_the_page_links_each_subject_and_retries_by_form(app, settings) -> None:
    pending = pending_certificates(app)
    fail_everything_once(settings)
    operator = admin(app)
    page = operator.client.get("/admin/chain-outbox").get_data(as_text=True)
    assert f"/verify/certificates/{pending.token_ids[0]}" in page
    assert f"/admin/organizations/{pending.buyer_organization_id}" in page
    assert page.count("Retry now</button>") == 4
    assert "ConnectionError" in page

    mint = outbox_entries()[0]
    assert operator.client.post(f"/admin/chain-outbox/{mint.id}/retry").status_code == 400  # no CSRF token
    response = operator.form(f"/admin/chain-outbox/{mint.id}/retry", {})
    assert (response.status_code, response.headers["Location"]) == (302, "/admin/chain-outbox")
    assert (outbox_entries()[0].status, outbox_entries()[0].attempts) == ("pending", 0)


def test_an_entry_in_flight_or_done_cannot_be_retried(app, settings) -> None:
    pending_certificates(app, days=1)
    run = new_run()
    assert reservation_log.send_log_entry(run) == 1
    mints.prepare_mints(run)  # recorded, not broadcast: in flight
    log, mint = outbox_entries(None)
    operator = admin(app)

    [listed] = operator.api("GET", LIST).json
    assert (listed["id"], listed["status"], listed["tx_hash"]) == (mint.id, "sent", mint.tx_hash)
    in_flight = operator.api("POST", f"{LIST}/{mint.id}/retry")
    assert (in_flight.status_code, in_flight.json["code"]) == (409, "outbox_entry_in_flight")
    done = operator.api("POST", f"{LIST}/{log.id}/retry")
    assert (done.status_code, done.json["code"]) == (409, "outbox_entry_done")
    missing = operator.api("POST", f"{LIST}/999999/retry")
    assert (missing.status_code, missing.json["code"]) == (404, "outbox_entry_not_found")
    page = operator.client.get("/admin/chain-outbox").get_data(as_text=True)
    assert "in flight" in page
    assert "Retry now</button>" not in page
    assert operator.form(f"/admin/chain-outbox/{mint.id}/retry", {}).status_code == 302  # flashed, nothing done
    assert outbox_entries()[0].status == "sent"

    platform.enqueue("chain.submit_outbox")  # as the scheduler does
    run_jobs()
    assert outbox_entries()[0].status == "done"


def test_a_claim_the_chain_never_recorded_fails_and_a_retry_reopens_it(app, settings) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    path = f"/api/v1/certificates/{certificate['id']}/claims"
    assert buyer.api("POST", path, {**CLAIM, "volume_wh": 1_000}).status_code == 201
    with pytest.raises(ChainPaused):
        mints.CLAIMS.send(new_run(unreachable(settings), ONE_TRY))
    [claim] = buyer.api("GET", path).json
    assert claim["status"] == "failed"

    operator = admin(app)
    [entry] = operator.api("GET", LIST).json
    assert (entry["kind"], entry["subject"]["type"]) == ("claim_certificate", "claim")
    assert entry["subject"]["id"] == claim["id"]
    assert operator.api("POST", f"{LIST}/{entry['id']}/retry").status_code == 200
    assert buyer.api("GET", path).json[0]["status"] == "pending"  # counted against the balance again
    run_jobs()
    assert buyer.api("GET", path).json[0]["status"] == "sent"  # mined; "claimed" once indexed
    run_indexer()
    assert buyer.api("GET", path).json[0]["status"] == "claimed"


def test_members_cannot_open_the_outbox_page(app, settings) -> None:
    org = make_org("Alpha")
    assert signed_in(app, org.email).client.get("/admin/chain-outbox").status_code == 403
