"""Public verification (R-VER-1): recomputed from chain and IPFS; tampering anywhere is detected."""

import json

from sqlalchemy import update

from dapp import platform
from dapp.models.issuance import Certificate
from tests.indexer import onchain
from tests.test_slice import build_slice, certificates


def verify(app, reference: str):
    return app.test_client().get(f"/api/v1/verify/certificates/{reference}")


def checks(report) -> dict[str, bool]:
    return {c["name"]: c["passed"] for c in report["checks"]}


def test_a_minted_certificate_is_consistent_by_token_id_and_by_id(app, settings) -> None:
    [certificate] = certificates(build_slice(app, settings)["buyer"])
    for reference in (certificate["token_id"], certificate["id"]):
        report = verify(app, reference).json
        assert report["verdict"] == "consistent", report["checks"]
        assert report["chain"]["volume_wh"] == certificate["volume_wh"]
        assert report["chain"]["owner_balance_wh"] == certificate["volume_wh"]
        assert all(checks(report).values())


def test_anyone_can_verify_without_signing_in(app, settings) -> None:
    [certificate] = certificates(build_slice(app, settings)["buyer"])
    page = app.test_client().get(f"/verify/certificates/{certificate['token_id']}")
    assert page.status_code == 200
    assert "Consistent" in page.get_data(as_text=True)


def test_a_platform_record_that_disagrees_with_the_chain_is_flagged(app, settings) -> None:
    [certificate] = certificates(build_slice(app, settings)["buyer"])
    with platform.current().db.unit_of_work() as session:
        session.execute(update(Certificate).values(volume_wh=Certificate.volume_wh + 1))
    report = verify(app, certificate["token_id"]).json
    assert report["verdict"] == "inconsistent"
    assert checks(report)["platform record agrees"] is False


def test_a_tampered_ipfs_document_is_detected(app, settings) -> None:
    [certificate] = certificates(build_slice(app, settings)["buyer"])
    path = next(settings.ipfs_dir.rglob(certificate["metadata_cid"]))
    document = json.loads(path.read_bytes())
    document["contributions"][0]["energy_wh"] += 1
    path.write_bytes(json.dumps(document).encode())
    report = verify(app, certificate["token_id"]).json
    assert report["verdict"] == "inconsistent"
    assert checks(report)["metadata in IPFS"] is False  # the bytes no longer hash to the CID the chain records


def test_an_unknown_certificate_is_not_found(app, settings) -> None:
    response = verify(app, "00000000-0000-0000-0000-000000000000")
    assert (response.status_code, response.json["code"]) == (404, "certificate_not_found")
    never_issued = verify(app, "12345").json
    assert never_issued["verdict"] == "inconsistent"


def test_every_certificate_of_a_batch_matches_the_batch_commitment(app, settings) -> None:
    """The chain keeps one hash per batch: the verifier rebuilds the whole batch from its events."""
    owner = onchain.new_wallet().address
    first_batch = onchain.issue(owner, 100, 200, 300)
    onchain.issue(owner, 400)
    for token_id in first_batch:
        report = verify(app, token_id).json
        assert checks(report)["event matches the on-chain commitment"] is True
        assert report["chain"]["owner_balance_wh"] == report["chain"]["volume_wh"]


def test_a_token_id_no_uint256_holds_is_not_found(app, settings) -> None:
    for reference in (str(2**256), str(2**256 - 1), "9" * 400, "9" * 5000, "\u00b2"):
        response = verify(app, reference)
        assert response.status_code in (200, 404), reference
        if response.status_code == 404:
            assert response.json["code"] == "certificate_not_found"
    assert verify(app, str(2**256)).status_code == 404
