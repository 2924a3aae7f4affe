"""The organization's type bounds its modules (R-ACC-5): buyers never hold devices, bulk uploads or meter
reads (so a buyer cannot certify its own energy), developers never hold reservations — whatever the stored
grants of a person or an API key say, and an admin included."""

from dapp import platform
from dapp.models.accounts import ApiKey, OrganizationType, User
from tests.factories.accounts import EVERYTHING, make_org, signed_in

DEVICE = {
    "external_id": "BUYER-OWN-1",
    "country_code": "KEN",
    "commissioning_date": "2026-01-15",
    "capacity_kw": "5",
    "fuel_code": "ES100",
    "device_type_code": "TC120",
}


def _grant_every_module_in_storage(org) -> None:
    """Stored grants naming every module (as data written before the bound, or by hand, would)."""
    everything = {module: 15 for module in ("devices", "bulk_upload", "meter_reads", "reservations")}
    with platform.current().db.unit_of_work() as session:
        user = session.get_one(User, org.actor.user_id)
        user.permissions = {**user.permissions, **everything}
        session.execute(
            ApiKey.__table__.update()
            .where(ApiKey.prefix == org.api_key.split("_")[1])
            .values(permissions={**user.permissions, **everything})
        )


def test_a_buyer_admin_cannot_register_a_device_or_send_reads(app, settings) -> None:
    buyer = make_org("Buyer", OrganizationType.BUYER)
    _grant_every_module_in_storage(buyer)
    admin = signed_in(app, buyer.email)
    for caller in (
        admin.api("POST", "/api/v1/devices", DEVICE),
        app.test_client().post("/api/v1/devices", json=DEVICE, headers=buyer.auth),
    ):
        problem = caller.json
        assert (caller.status_code, problem["code"], problem["module"]) == (403, "permission_missing", "devices")
    reads = app.test_client().post("/api/v1/reads", json=[], headers=buyer.auth)
    assert (reads.status_code, reads.json["module"]) == (403, "meter_reads")


def test_a_developer_admin_and_key_cannot_reserve(app, settings) -> None:
    developer = make_org("Developer")
    _grant_every_module_in_storage(developer)
    admin = signed_in(app, developer.email)
    for response in (
        admin.api("GET", "/api/v1/reservations"),
        app.test_client().get("/api/v1/reservations", headers=developer.auth),
    ):
        problem = response.json
        assert (response.status_code, problem["module"]) == (403, "reservations")


def test_nobody_grants_a_module_outside_the_organizations_type(app, settings) -> None:
    buyer = make_org("Buyer", OrganizationType.BUYER)
    admin = signed_in(app, buyer.email)
    invitation = {"first_name": "Nia", "last_name": "Mwangi", "email": "nia@example.org"}
    response = admin.api("POST", "/api/v1/invitations", {**invitation, "permissions": {"devices": EVERYTHING}})
    assert (response.status_code, response.json["errors"][0]["code"]) == (422, "module_outside_organization_type")
    key = admin.api("POST", "/api/v1/api-keys", {"name": "meters", "permissions": {"meter_reads": ["WRITE"]}})
    assert (key.status_code, key.json["errors"][0]["code"]) == (422, "module_outside_organization_type")
    read_only = admin.api("POST", "/api/v1/invitations", invitation).json["permissions"]
    assert read_only["devices"] == read_only["bulk_upload"] == read_only["meter_reads"] == []
    assert read_only["reservations"] == ["READ"]
