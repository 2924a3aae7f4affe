"""The content gateway (R-REG-3): exact bytes of every document the chain references, nothing else."""

import json

import pytest

from dapp import platform
from dapp.ipfs import add_json, cid_for_bytes
from tests.test_slice import build_slice, certificates


def test_serves_a_certificates_metadata_as_stored_with_its_cid_as_etag(app, settings) -> None:
    [certificate] = certificates(build_slice(app, settings)["buyer"])
    cid = certificate["metadata_cid"]
    response = app.test_client().get(f"/ipfs/{cid}")
    assert response.status_code == 200
    assert cid_for_bytes(response.data) == cid
    assert response.content_type == "application/json"
    assert response.headers["ETag"] == f'"{cid}"'
    assert "immutable" in response.headers["Cache-Control"]
    again = app.test_client().get(f"/ipfs/{cid}", headers={"If-None-Match": f'"{cid}"'})
    assert again.status_code == 304


def test_a_stored_document_no_chain_entry_names_is_not_served(app, settings) -> None:
    cid = add_json(platform.current().content, {"private": "upload"})
    response = app.test_client().get(f"/ipfs/{cid}")
    assert (response.status_code, response.json["code"]) == (404, "document_not_found")
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    "cid", ["not-a-cid", "bafy", "b" + "a" * 58, "Qmabc", "bafkrei\u0661", "b" + "z" * 500, "..%2f..%2fetc"]
)
def test_a_malformed_cid_is_a_400_problem(app, settings, cid) -> None:
    response = app.test_client().get(f"/ipfs/{cid}")
    assert (response.status_code, response.json["code"]) == (400, "cid_malformed")


def test_serves_a_reservation_device_list_the_log_names(app, settings) -> None:
    journey = build_slice(app, settings)
    reservation_id = journey["reservation"]["id"]
    response = app.test_client().get(f"/api/v1/verify/reservations/{reservation_id}")
    [created] = response.json["log"]
    document = app.test_client().get(f"/ipfs/{created['devices_cid']}")
    assert document.status_code == 200
    assert json.loads(document.data)["reservation_id"] == reservation_id
