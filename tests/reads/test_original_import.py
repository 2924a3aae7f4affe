"""Importing an export of the original D-REC platform: its devices and history reads, a report line per row."""

import json
from datetime import UTC, datetime

from dapp import platform
from dapp.reads.service import ingestion, original_import
from tests.factories.accounts import make_org
from tests.factories.reads import stored_reads

DEVICES = [
    {
        "externalId": "Xion Mall",
        "countryCode": "KEN",
        "fuelCode": "ES100",
        "deviceTypeCode": "TC120",
        "capacity": 50,
        "commissioningDate": "2024-01-15T00:00:00.000Z",
        "latitude": -1.29,
        "longitude": 36.82,
        "SDGBenefits": "SDG7,SDG13",
        "version": "1.0",
    },
    {"externalId": "BROKEN", "countryCode": "XXX", "fuelCode": "ES100", "capacity": -1},
]
READS_CSV = """externalId,type,unit,timezone,starttimestamp,endtimestamp,value
Xion Mall,History,kWh,,2025-03-01T00:00:00Z,2025-03-02T00:00:00Z,12.5
Xion Mall,History,Wh,africa/nairobi,2025-03-02 03:00:00,2025-03-03 03:00:00,9000
Xion Mall,History,Wh,,2025-03-02T12:00:00Z,2025-03-02T18:00:00Z,100
NOPE,History,Wh,,2025-03-01T00:00:00Z,2025-03-02T00:00:00Z,5
"""


def test_an_export_is_imported_row_by_row_with_a_report(app) -> None:
    p = platform.current()
    p.clock.set(datetime(2026, 6, 1, tzinfo=UTC))
    org = make_org("Imported")
    now = p.clock.now()
    with p.db.unit_of_work() as session:
        devices = original_import.import_devices(
            session, org.actor, now, original_import.devices_from(json.dumps(DEVICES))
        )
        reads = original_import.import_reads(
            session, org.actor, original_import.reads_from(READS_CSV), ingestion.policy_from(p.settings, now)
        )
    assert [(r.row, r.external_id, r.outcome) for r in devices] == [
        (1, "Xion Mall", "registered"),
        (2, "BROKEN", "refused"),
    ]
    assert "version" in devices[0].detail  # the fields we do not keep are named
    assert "country_code" in devices[1].detail or "capacity" in devices[1].detail
    assert [r.outcome for r in reads] == ["accepted", "accepted", "refused", "refused"]
    assert "overlap" in reads[2].detail.lower()
    assert "no device" in reads[3].detail.lower()
    assert [(r.read_type, r.energy_wh) for r in stored_reads()] == [("history", 12_500), ("history", 9_000)]
    assert devices[0].line() == "row 1 Xion Mall: registered — not imported: version"
