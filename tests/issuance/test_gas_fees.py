"""Gas-fee statement (R-ISS-12): a mint's gas is attributed to developers by their Wh share."""

from sqlalchemy import select

from dapp import platform
from dapp.models.chain import OutboxEntry
from tests.test_slice import build_slice


def test_the_developer_is_charged_the_whole_gas_of_a_certificate_it_alone_produced(app, settings) -> None:
    journey = build_slice(app, settings)
    statement = journey["developer"].api("GET", "/api/v1/gas-fees").json
    with platform.current().db.unit_of_work() as session:
        mint = session.scalars(select(OutboxEntry).where(OutboxEntry.kind == "mint_certificate")).one()
    [item] = statement["items"]
    assert item["tx_hash"] == mint.tx_hash
    assert item["gas"] == mint.gas_used  # one certificate in the transaction, one developer in it
    assert statement["total_gas"] == mint.gas_used


def test_a_buyer_organization_has_no_gas_charges(app, settings) -> None:
    journey = build_slice(app, settings)
    assert journey["buyer"].api("GET", "/api/v1/gas-fees").json == {"total_gas": 0, "items": []}
