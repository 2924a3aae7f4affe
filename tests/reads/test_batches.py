"""The multi-device batch endpoint (R-READ-1); the ingestion routes' answers. The D-REC route: test_drec_compat.py."""

from datetime import timedelta

from dapp import platform
from dapp.reads.schemas import MultiDeviceBatchResult, ReadBatchResult
from tests.factories.devices import make_device
from tests.factories.reads import stored_reads
from tests.reads.conftest import ONBOARDED, at
from tests.reads.test_drec_compat import drec, post_drec


def block(external_id: str, *reads: tuple[float, int], read_type: str = "delta") -> dict:
    return {
        "external_id": external_id,
        "type": read_type,
        "unit": "Wh",
        "reads": [{"end": at(h).isoformat(), "value": v} for h, v in reads],
    }


def post_batch(app, org, body, query: str = "", headers=None):
    return app.test_client().post(f"/api/v1/reads{query}", json=body, headers={**org.auth, **(headers or {})})


def test_a_multi_device_batch_judges_each_device_on_its_own(app, developer) -> None:
    platform.current().clock.set(ONBOARDED)
    make_device(developer, "DEV-2")
    platform.current().clock.set(ONBOARDED + timedelta(days=2))
    body = {"devices": [block("DEV-1", (1, 0), (2, 500)), block("dev-2", (1, 0), (2, 99_999)), block("NOPE", (1, 5))]}
    response = post_batch(app, developer, body)
    assert response.status_code == 200, response.json
    [one, two, nope] = response.json["devices"]
    assert [r["status"] for r in one["results"]] == ["baseline", "accepted"]
    assert [(r["status"], r.get("reason_code")) for r in two["results"]] == [
        ("baseline", "first_read"),
        ("rejected", "exceeds_max_energy"),
    ]
    assert nope["results"][0]["reason_code"] == "device_not_found"
    assert (response.json["accepted"], response.json["rejected"]) == (3, 2)
    assert len(stored_reads()) == 3


def test_the_read_type_lock_holds_across_blocks_of_one_request(app, developer) -> None:
    body = {"devices": [block("DEV-1", (1, 0)), block("DEV-1", (2, 10), read_type="aggregate")]}
    response = post_batch(app, developer, body)
    assert response.json["devices"][1]["results"][0]["reason_code"] == "type_locked"


def test_an_atomic_multi_device_batch_with_one_bad_read_stores_nothing(app, developer) -> None:
    body = {"devices": [block("DEV-1", (1, 0), (2, 500)), block("NOPE", (1, 5))]}
    response = post_batch(app, developer, body, query="?atomic=true")
    assert response.status_code == 422
    assert response.json["code"] == "batch_rejected"
    assert stored_reads() == []


def test_more_than_10000_reads_in_one_request_is_a_validation_problem(app, developer) -> None:
    reads = [(1 + i / 10_000, 1) for i in range(5_001)]
    response = post_batch(app, developer, {"devices": [block("DEV-1", *reads), block("DEV-1", *reads)]})
    assert response.status_code == 422
    assert response.json["code"] == "validation_failed"


def test_a_retried_multi_device_batch_stores_nothing_twice(app, developer) -> None:
    body = {"devices": [block("DEV-1", (1, 0), (2, 500))]}
    first = post_batch(app, developer, body, headers={"Idempotency-Key": "k-1"})
    retry = post_batch(app, developer, body, headers={"Idempotency-Key": "k-1"})
    assert retry.json == first.json
    assert len(stored_reads()) == 2


def test_the_ingestion_routes_answer_exactly_in_their_response_models(app, developer) -> None:
    # these routes write their answers without validating them again (PlainJson): every field is there, no other
    reads = [{"end": at(1).isoformat(), "value": 0}, {"end": "x", "value": 1}]
    one = app.test_client().post(
        "/api/v1/devices/DEV-1/reads", json={"type": "delta", "unit": "Wh", "reads": reads}, headers=developer.auth
    )
    many = post_batch(app, developer, {"devices": [block("dev-1", (2, 500), (3, 99_999)), block("NOPE", (1, 5))]})
    compat = post_drec(app, developer, drec({"endtimestamp": "2026-06-01 17:00:00", "value": 0.5}))
    for response, model in ((one, ReadBatchResult), (many, MultiDeviceBatchResult), (compat, ReadBatchResult)):
        assert response.status_code in (200, 201), response.json
        assert model.model_validate(response.json).model_dump(mode="json") == response.json
    statuses = [r["status"] for d in many.json["devices"] for r in d["results"]]
    assert statuses == ["accepted", "rejected", "rejected"]


def test_blocks_naming_one_device_in_any_case_are_judged_together_in_time_order(app, developer) -> None:
    body = {"devices": [block("dev-1", (2, 10), (4, 30)), block("DEV-1", (1, 0), (3, 20)), block("Dev-1", (3, 5))]}
    response = post_batch(app, developer, body)
    assert response.status_code == 200, response.json
    first, second, third = response.json["devices"]
    assert [b["device_external_id"] for b in response.json["devices"]] == ["dev-1", "DEV-1", "Dev-1"]
    assert [(r["index"], r["status"], r["energy_wh"]) for r in first["results"]] == [
        (0, "accepted", 10),
        (1, "accepted", 30),
    ]
    assert [(r["index"], r["status"], r["energy_wh"]) for r in second["results"]] == [
        (0, "baseline", 0),
        (1, "accepted", 20),
    ]
    assert [(r["status"], r["reason_code"]) for r in third["results"]] == [("rejected", "not_after_previous")]
    assert [(r.period_end, r.status) for r in stored_reads()] == [
        (at(1), "baseline"),
        (at(2), "accepted"),
        (at(3), "accepted"),
        (at(4), "accepted"),
    ]


def test_history_and_ongoing_blocks_of_one_device_share_one_request(app, developer) -> None:
    history = {
        "external_id": "dev-1",
        "type": "history",
        "unit": "Wh",
        "reads": [{"start": at(-5).isoformat(), "end": at(-4).isoformat(), "value": 100}],
    }
    twice = {**history, "external_id": "DEV-1"}
    body = {"devices": [block("DEV-1", (1, 0), (2, 10)), history, twice]}
    response = post_batch(app, developer, body)
    assert [[r["status"] for r in b["results"]] for b in response.json["devices"]] == [
        ["baseline", "accepted"],
        ["accepted"],
        ["rejected"],
    ]
    assert response.json["devices"][2]["results"][0]["reason_code"] == "overlaps_history"


def test_a_read_whose_end_is_hundreds_of_characters_long_is_refused_naming_it_and_nothing_is_stored(
    app, developer
) -> None:
    long_end = at(1).isoformat() + "9" * 400
    body = {"devices": [block("DEV-1", (1, 0), (2, 500))]}
    body["devices"][0]["reads"].append({"end": long_end, "value": 7})
    response = post_batch(app, developer, body)
    assert response.status_code == 422, response.json
    assert [e["field"] for e in response.json["errors"]] == ["devices.0.reads.2.end"]
    assert stored_reads() == []


def test_the_atomic_flag_is_read_as_the_document_declares_it_and_a_bad_one_is_refused(app, developer) -> None:
    body = {"devices": [block("DEV-1", (1, 0), (2, 500), (3, -5))]}
    assert post_batch(app, developer, body, query="?atomic=1").status_code == 422  # "1" is true: nothing stored
    assert stored_reads() == []
    refused = post_batch(app, developer, body, query="?atomic=maybe")
    assert (refused.status_code, [e["field"] for e in refused.json["errors"]]) == (422, ["atomic"])
