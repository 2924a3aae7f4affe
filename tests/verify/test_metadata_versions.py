"""Complete metadata (R-ISS-8), versioned: version 2 carries every field and the issuance round; documents of
version 1, minted before, still verify as they are."""

import io
import json
import uuid
from contextlib import redirect_stdout
from datetime import datetime

from dapp import platform
from dapp.chain.certificate_data import metadata_cid_fields
from dapp.ipfs import add_json
from drec_verifier.cli import main
from drec_verifier.content import certificate_key
from tests.indexer import onchain
from tests.support.workers import run_indexer
from tests.test_slice import ISSUANCE_ZONE, build_slice, certificates

V1_FIELDS = (
    "version", "certificate_key", "buyer_reservation_id", "beneficiary", "buyer_address",
    "standard_issuance_requested", "type", "country_code", "volume_wh", "window", "generation", "frequency",
    "target_volume_wh", "authority_to_exceed", "leftover_energy_wh", "rule_versions", "contributions_root",
    "contributions",
)  # fmt: skip


def test_a_version_2_document_carries_every_r_iss_8_field(app, settings) -> None:
    [certificate] = certificates(build_slice(app, settings)["buyer"])
    document = json.loads(app.test_client().get(f"/ipfs/{certificate['metadata_cid']}").data)
    assert document["version"] == "2"
    assert document["issuance_round"] == 0
    assert document["reservation"]["issuance_time_zone"] == ISSUANCE_ZONE
    group = document["device_group"]
    assert (group["fuel_codes"], group["device_type_codes"], group["country_code"]) == (["ES100"], ["TC120"], "KEN")
    assert (group["aggregated_capacity_kw"], group["commissioning_date_range"]) == ("5.000", ["2025-01-15"] * 2)
    assert [o["name"] for o in document["organizations"]] == ["Sunny Developers"]
    assert document["volumes_mwh"]["requested"] is not None
    assert [d["external_id"] for d in document["devices"]] == ["SHS-001"]
    assert not {"address", "latitude", "longitude", "reads"} & set(document["devices"][0])


def test_a_version_1_document_still_verifies(app, settings, registry) -> None:
    """A token minted before version 2, with a version-1 document: only the version-1 fields, no round."""
    [certificate] = certificates(build_slice(app, settings)["buyer"])
    current = json.loads(app.test_client().get(f"/ipfs/{certificate['metadata_cid']}").data)
    reservation_id = uuid.uuid4()
    v1 = {name: current[name] for name in V1_FIELDS} | {"version": "1", "buyer_reservation_id": str(reservation_id)}
    key = certificate_key(str(reservation_id), v1["window"]["start"], v1["country_code"], 0)
    v1["certificate_key"] = "0x" + key.to_bytes(32, "big").hex()
    cid = add_json(platform.current().content, v1)
    data = list(onchain.certificate_data(certificate["owner_address"], certificate["volume_wh"]))
    data[0], data[5], data[6] = (
        key.to_bytes(32, "big"),
        reservation_id.bytes,
        bytes.fromhex(current["contributions_root"][2:]),
    )
    data[3:5] = [int(datetime.fromisoformat(v1["generation"][k]).timestamp()) for k in ("start", "end")]
    data[7:9] = metadata_cid_fields(cid)
    chain = onchain.platform_chain()
    chain.transact(onchain.certificates(chain).functions.issueBatch([tuple(data)]))
    run_indexer()  # the gateway serves documents that indexed events name
    deployment = json.loads(settings.deployment_file.read_text())["contracts"]
    rpc = platform.current().settings.chain_rpc_url
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(
            [
                "--rpc",
                rpc,
                "--certificates",
                deployment["DrecCertificates"]["address"],
                "--reservation-log",
                deployment["ReservationLog"]["address"],
                "--gateway",
                registry,
                "--json",
                "certificate",
                str(key),
            ]
        )
    report = json.loads(out.getvalue())
    assert (status, report["verdict"]) == (0, "consistent"), report["checks"]
