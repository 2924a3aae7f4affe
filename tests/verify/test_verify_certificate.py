"""Public verification of certificates (R-VER-1): the verdict comes from the chain and the documents; the
platform's record is one more witness; tampering through any door is detected."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from dapp import platform
from dapp.chain.certificate_data import metadata_cid_fields
from dapp.models.issuance import Certificate, CertificateContribution
from tests.indexer import onchain
from tests.test_slice import build_slice, certificates
from tests.verify.conftest import agree, standalone


def verify(app, reference: str):
    return app.test_client().get(f"/api/v1/verify/certificates/{reference}")


def checks(report) -> dict[str, bool]:
    return {c["name"]: c["passed"] for c in report["checks"]}


def test_a_minted_certificate_is_consistent_by_token_id_key_and_id(app, settings, registry) -> None:
    [certificate] = certificates(build_slice(app, settings)["buyer"])
    for reference in (certificate["token_id"], certificate["id"], hex(int(certificate["token_id"]))):
        reference = reference.replace("0x", "0x" + "0" * (66 - len(reference)), 1)
        report = (
            agree(app, registry, "certificate", reference)
            if reference == certificate["token_id"]
            else verify(app, reference).json
        )
        assert report["verdict"] == "consistent", report["checks"]
        assert report["chain"]["volume_wh"] == certificate["volume_wh"]
        assert report["holders"] == [
            {"address": certificate["owner_address"].lower(), "balance_wh": certificate["volume_wh"]}
        ]
        assert all(checks(report).values())


def test_anyone_can_verify_without_signing_in(app, settings) -> None:
    [certificate] = certificates(build_slice(app, settings)["buyer"])
    page = app.test_client().get(f"/verify/certificates/{certificate['token_id']}")
    assert page.status_code == 200
    assert "Consistent" in page.get_data(as_text=True)


CERTIFICATE_EDITS = {
    "volume": update(Certificate).values(volume_wh=Certificate.volume_wh + 1),
    "period start": update(Certificate).values(generation_start=Certificate.generation_start - timedelta(hours=1)),
    "owner": update(Certificate).values(owner_address="0x" + "12" * 20),
    "contributions": update(CertificateContribution).values(energy_wh=CertificateContribution.energy_wh + 1),
}


@pytest.mark.parametrize("differs", list(CERTIFICATE_EDITS))
def test_a_database_edit_of_the_certificate_is_detected(app, settings, registry, differs) -> None:
    [certificate] = certificates(build_slice(app, settings)["buyer"])
    with platform.current().db.unit_of_work() as session:
        session.execute(CERTIFICATE_EDITS[differs])
    report = agree(app, registry, "certificate", certificate["token_id"])
    assert report["verdict"] == "inconsistent"
    [record] = [c for c in report["checks"] if c["name"] == "registry's record agrees"]
    assert differs in record["detail"]
    assert [c["name"] for c in report["checks"] if not c["passed"]] == ["registry's record agrees"]


def test_a_tampered_stored_document_is_detected(app, settings, registry) -> None:
    [certificate] = certificates(build_slice(app, settings)["buyer"])
    path = next(settings.ipfs_dir.rglob(certificate["metadata_cid"]))
    document = json.loads(path.read_bytes())
    document["contributions"][0]["energy_wh"] += 1
    path.write_bytes(json.dumps(document).encode())
    report = agree(app, registry, "certificate", certificate["token_id"])
    assert report["verdict"] == "inconsistent"
    assert checks(report)["metadata document retrievable"] is False  # the bytes no longer hash to the CID


def test_a_token_minted_outside_the_platform_reusing_a_real_document_is_not_consistent(app, settings, registry) -> None:
    """An issuer-role key mints a token of its own, reusing a real certificate's CID, root and volume."""
    [real] = certificates(build_slice(app, settings)["buyer"])
    forged = forge_copy(real)
    report = agree(app, registry, "certificate", forged)
    assert report["verdict"] == "inconsistent"
    assert checks(report)["metadata CID recomputes"] is True
    assert checks(report)["token id derives from the document"] is False
    assert checks(report)["document agrees with the event"] is False
    assert checks(report)["registry's record agrees"] is False


def forge_copy(real: dict) -> str:
    chain = onchain.platform_chain()
    data = list(onchain.certificate_data(real["owner_address"], real["volume_wh"]))
    data[6] = bytes.fromhex(real["contributions_root"][2:])
    data[7:9] = metadata_cid_fields(real["metadata_cid"])
    chain.transact(onchain.certificates(chain).functions.issueBatch([tuple(data)]))
    return str(int.from_bytes(data[0], "big"))


def test_a_never_issued_token_is_not_found(app, settings, registry) -> None:
    for reference in ("12345", "0x" + "ab" * 32):
        assert agree(app, registry, "certificate", reference)["code"] == "certificate_never_issued"
    response = verify(app, "00000000-0000-0000-0000-000000000000")
    assert (response.status_code, response.json["code"]) == (404, "certificate_never_issued")


@pytest.mark.parametrize(
    "reference", [str(2**256), "9" * 200, "\u0661\u0662\u0663", "-1", "1e5", "0x12", "\u00b2", " 1"]
)
def test_a_malformed_reference_is_a_404_never_a_500(app, settings, registry, reference) -> None:
    response = agree(app, registry, "certificate", reference)
    assert response["code"] == "certificate_never_issued"


def test_a_reference_holding_a_control_character_is_refused_by_the_input_boundary(app, registry) -> None:
    """Never a 500 (SPEC §0): the input boundary (ADR 0080) refuses a NUL before the verifier reads it, with a
    422 naming the reference, on the API and on the page alike; the standalone verifier finds no such token."""
    client = app.test_client()
    api = client.get("/api/v1/verify/certificates/%00")
    assert (api.status_code, api.json["code"], api.json["errors"][0]["field"]) == (
        422,
        "control_character",
        "reference",
    )
    assert client.get("/verify/certificates/%00").status_code == 422
    status, report = standalone(registry, "certificate", "\x00")
    assert (status, report["verdict"]) == (2, "not_found")


def test_every_certificate_of_a_batch_matches_the_batch_commitment(app, settings) -> None:
    """The chain keeps one hash per batch: the verifier rebuilds the whole batch from its events."""
    owner = onchain.new_wallet().address
    first_batch = onchain.issue(owner, 100, 200, 300)
    onchain.issue(owner, 400)
    for token_id in first_batch:
        report = verify(app, token_id).json
        assert checks(report)["event matches the on-chain commitment"] is True
        assert checks(report)["holdings add up"] is True


def test_holders_claims_and_transfers_add_up_after_a_transfer_and_a_claim(app, settings, registry) -> None:
    holder, other = onchain.new_wallet(), onchain.new_wallet()
    [token] = onchain.issue(holder.address, 1000)
    onchain.transfer(holder, other.address, token, 300)
    claim = {"beneficiary": "Green Buyer Ltd", "purpose": "Scope 2 reporting 2026"}
    onchain.claim(other, token, 100, json.dumps(claim).encode())
    report = agree(app, registry, "certificate", token)
    assert {h["address"]: h["balance_wh"] for h in report["holders"]} == {
        holder.address.lower(): 700,
        other.address.lower(): 200,
    }
    [claimed] = report["claims"]
    assert (claimed["beneficiary"], claimed["purpose"], claimed["volume_wh"]) == (
        "Green Buyer Ltd",
        "Scope 2 reporting 2026",
        100,
    )
    assert [t["volume_wh"] for t in report["transfers"]] == [1000, 300, 100]
    assert checks(report)["holdings add up"] is True
    page = app.test_client().get(f"/verify/certificates/{token}").get_data(as_text=True)
    assert "Scope 2 reporting 2026" in page
    assert other.address.lower() in page


def test_a_revoked_certificate_says_so(app, settings, registry) -> None:
    holder = onchain.new_wallet()
    [token] = onchain.issue(holder.address, 500)
    onchain.revoke(token, "meter fraud")
    report = agree(app, registry, "certificate", token)
    assert (report["chain"]["revoked"], report["chain"]["revocation_reason"]) == (True, "meter fraud")


@pytest.mark.parametrize(
    "path", ["certificates/12345", "certificates/%E2%80%8B", "reservations/nope", "reservations/1"]
)
def test_the_register_records_answer_404_for_anything_unknown(app, settings, path) -> None:
    response = app.test_client().get(f"/api/v1/register/{path}")
    assert (response.status_code, response.json["code"]) == (404, "not_in_register")
