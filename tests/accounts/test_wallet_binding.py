"""A buyer binds its own wallet by signing a challenge (R-CHAIN-4): real keys, real signatures, every refusal."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from eth_account import Account

from dapp import platform
from dapp.models.accounts import OrganizationType
from tests.factories.accounts import make_api_key, make_member, make_org, signed_in
from tests.factories.devices import make_device
from tests.factories.reservations import make_reservation
from tests.support.journeys import Member
from tests.support.wallets import CHALLENGES, WALLET, bind, challenge_for, signature, submit

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def buyer_admin(app: Any, name: str = "Green Buyer") -> Member:
    platform.current().clock.set(T0)
    return signed_in(app, make_org(name, OrganizationType.BUYER).email)


def organization(admin: Member) -> dict[str, Any]:
    return admin.api("GET", "/api/v1/organization").json


def test_the_challenge_names_wallet_organization_chain_and_nonce_and_expires_in_ten_minutes(app, settings) -> None:
    admin = buyer_admin(app)
    wallet = Account.create()
    challenge = challenge_for(admin, wallet.address.lower())
    message = challenge["message"]
    assert challenge["address"] == wallet.address  # stored in checksum form
    assert f"Wallet: {wallet.address}" in message
    assert f"Organization: {organization(admin)['id']}" in message
    assert f"Chain ID: {settings.chain_id}" in message
    assert re.search(r"Nonce: [0-9a-f]{64}\n", message)
    issued, expires = (datetime.fromisoformat(challenge[k]) for k in ("issued_at", "expires_at"))
    assert expires - issued == timedelta(minutes=10)
    assert challenge["typed_data"]["message"]["wallet"] == wallet.address
    assert challenge_for(admin, wallet.address)["message"] != message  # a fresh nonce each time


def test_a_buyer_admin_binds_a_wallet_with_a_personal_sign_signature(app, settings) -> None:
    admin = buyer_admin(app)
    managed = organization(admin)["blockchain_address"]
    wallet = Account.create()
    response = bind(admin, wallet)
    assert response.status_code == 200, response.json
    assert response.json["bound_wallet_address"] == wallet.address
    assert response.json["certificate_address"] == wallet.address
    assert response.json["blockchain_address"] == managed  # the managed account stays
    [entry] = admin.api("GET", "/api/v1/audit-log?action=organization.").json["items"]
    assert entry["action"] == "organization.wallet_bind"
    assert (entry["before"], entry["after"]["bound_wallet_address"]) == ({"bound_wallet_address": None}, wallet.address)


def test_an_eip712_typed_data_signature_binds_too(app, settings) -> None:
    admin = buyer_admin(app)
    wallet = Account.create()
    response = bind(admin, wallet, "eip712")
    assert (response.status_code, response.json["bound_wallet_address"]) == (200, wallet.address)


def test_new_reservations_send_certificates_to_the_bound_wallet_and_back_after_unbinding(app, settings) -> None:
    platform.current().clock.set(T0)
    developer = make_org("Sunny Developers")
    devices = [make_device(developer, f"SHS-{n}") for n in range(3)]
    buyer = make_org("Green Buyer", OrganizationType.BUYER)
    admin = signed_in(app, buyer.email)
    managed = organization(admin)["blockchain_address"]
    wallet = Account.create()
    assert bind(admin, wallet).status_code == 200

    day = timedelta(days=1)
    while_bound = make_reservation(buyer, devices[:1], T0, T0 + day, name="bound")
    explicit = make_reservation(buyer, devices[1:2], T0, T0 + day, name="explicit", wallet_address=managed)
    response = admin.api("DELETE", WALLET)
    assert (response.status_code, response.json["bound_wallet_address"]) == (200, None)
    after = make_reservation(buyer, devices[2:], T0, T0 + day, name="after")

    assert while_bound.wallet_address == wallet.address
    assert explicit.wallet_address == managed  # a wallet named in the request still wins
    assert after.wallet_address == managed
    actions = [e["action"] for e in admin.api("GET", "/api/v1/audit-log?action=organization.").json["items"]]
    assert actions == ["organization.wallet_unbind", "organization.wallet_bind"]


def test_a_signature_by_another_key_is_refused(app, settings) -> None:
    admin = buyer_admin(app)
    wallet, impostor = Account.create(), Account.create()
    challenge = challenge_for(admin, wallet.address)
    response = submit(admin, challenge, signature(impostor, challenge))
    assert (response.status_code, response.json["errors"][0]["code"]) == (422, "wrong_signer")
    assert impostor.address in response.json["detail"]
    the_wallet_signing_other_text = submit(admin, challenge, signature(wallet, {**challenge, "message": "hello"}))
    assert the_wallet_signing_other_text.json["errors"][0]["code"] == "wrong_signer"
    assert organization(admin)["bound_wallet_address"] is None


def test_an_expired_challenge_is_refused(app, settings) -> None:
    admin = buyer_admin(app)
    wallet = Account.create()
    challenge = challenge_for(admin, wallet.address)
    platform.current().clock.set(datetime.fromisoformat(challenge["expires_at"]) + timedelta(seconds=1))
    response = submit(admin, challenge, signature(wallet, challenge))
    assert (response.status_code, response.json["code"]) == (409, "challenge_expired")
    assert organization(admin)["bound_wallet_address"] is None


def test_a_challenge_works_once(app, settings) -> None:
    admin = buyer_admin(app)
    wallet = Account.create()
    challenge = challenge_for(admin, wallet.address)
    signed = signature(wallet, challenge)
    assert submit(admin, challenge, signed).status_code == 200
    assert admin.api("DELETE", WALLET).status_code == 200
    replayed = submit(admin, challenge, signed)
    assert (replayed.status_code, replayed.json["code"]) == (409, "challenge_used")
    assert organization(admin)["bound_wallet_address"] is None


def test_a_malformed_signature_is_refused(app, settings) -> None:
    admin = buyer_admin(app)
    wallet = Account.create()
    challenge = challenge_for(admin, wallet.address)
    good = signature(wallet, challenge)
    bad_v = good[:-2] + "05"
    for malformed in ("0x1234", "not a signature", good[:-2], bad_v, "0x" + "ff" * 65):
        response = submit(admin, challenge, malformed)
        assert response.status_code == 422, malformed
        assert response.content_type == "application/problem+json"
        assert response.json["errors"][0] == {
            "field": "signature",
            "code": "malformed_signature",
            "message": response.json["detail"],
        }
    assert submit(admin, challenge, good).status_code == 200  # the challenge survived the failed attempts


def test_a_wallet_bound_to_another_organization_cannot_be_bound(app, settings) -> None:
    first, second = buyer_admin(app, "First Buyer"), buyer_admin(app, "Second Buyer")
    wallet = Account.create()
    late = challenge_for(second, wallet.address)  # asked for before the first organization binds it
    assert bind(first, wallet).status_code == 200

    response = submit(second, late, signature(wallet, late))
    assert (response.status_code, response.json["code"]) == (409, "wallet_bound_elsewhere")
    asked = second.api("POST", CHALLENGES, {"address": wallet.address})
    assert (asked.status_code, asked.json["code"]) == (409, "wallet_bound_elsewhere")
    others_managed = second.api("POST", CHALLENGES, {"address": organization(first)["blockchain_address"]})
    assert (others_managed.status_code, others_managed.json["code"]) == (409, "wallet_bound_elsewhere")
    assert organization(second)["bound_wallet_address"] is None


def test_the_own_managed_account_is_not_a_wallet_to_bind(app, settings) -> None:
    admin = buyer_admin(app)
    response = admin.api("POST", CHALLENGES, {"address": organization(admin)["blockchain_address"]})
    assert (response.status_code, response.json["errors"][0]["code"]) == (422, "managed_account")


def test_a_mistyped_checksum_is_refused(app, settings) -> None:
    admin = buyer_admin(app)
    response = admin.api("POST", CHALLENGES, {"address": "0x52908400098527886E0F7030069857D2E4169Ee7"})
    assert (response.status_code, response.json["errors"][0]["code"]) == (422, "bad_checksum")


def test_another_organizations_challenge_is_not_found(app, settings) -> None:
    first, second = buyer_admin(app, "First Buyer"), buyer_admin(app, "Second Buyer")
    wallet = Account.create()
    challenge = challenge_for(first, wallet.address)
    response = submit(second, challenge, signature(wallet, challenge))
    assert (response.status_code, response.json["code"]) == (404, "challenge_not_found")


def test_only_an_organization_admin_binds_or_unbinds(app, settings) -> None:
    platform.current().clock.set(T0)
    buyer = make_org("Green Buyer", OrganizationType.BUYER)
    make_member(buyer, "editor@green.example", {"organization": ["READ", "UPDATE"]})
    editor = signed_in(app, "editor@green.example")
    key = {"Authorization": f"Bearer {make_api_key(buyer.actor, {'organization': ['READ', 'UPDATE']})}"}
    address = Account.create().address
    refused = [
        editor.api("POST", CHALLENGES, {"address": address}),
        editor.api("DELETE", WALLET),
        app.test_client().post(CHALLENGES, json={"address": address}, headers=key),
    ]
    assert [(r.status_code, r.json["code"]) for r in refused] == [(403, "org_admin_required")] * 3


def test_developers_have_no_wallet_to_bind(app, settings) -> None:
    admin = signed_in(app, make_org("Sunny Developers").email)
    response = admin.api("POST", CHALLENGES, {"address": Account.create().address})
    assert (response.status_code, response.json["code"]) == (403, "not_a_buyer")


def test_unbinding_without_a_bound_wallet_is_refused(app, settings) -> None:
    response = buyer_admin(app).api("DELETE", WALLET)
    assert (response.status_code, response.json["code"]) == (409, "wallet_not_bound")


def test_the_organization_page_binds_and_unbinds_a_wallet(app, settings) -> None:
    admin = buyer_admin(app)
    wallet = Account.create()
    page = admin.form("/organization/wallet-challenges", {"address": wallet.address}).get_data(as_text=True)
    challenge_id = re.search(r'name="challenge_id" value="([^"]+)"', page).group(1)
    message = re.search(r'<pre id="challenge-message">(.*?)</pre>', page, re.S).group(1)
    message = message.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
    challenge = {"id": challenge_id, "message": message}

    wrong = admin.form("/organization/wallet", {"challenge_id": challenge_id, "signature": "0x12"})
    assert wrong.status_code == 422
    assert 'id="challenge-message"' in wrong.get_data(as_text=True)  # the same challenge, to sign again

    data = {"challenge_id": challenge_id, "signature": signature(wallet, challenge), "scheme": "personal_sign"}
    assert admin.form("/organization/wallet", data).status_code == 302
    shown = admin.client.get("/organization").get_data(as_text=True)
    assert f'<code id="bound-wallet">{wallet.address}</code>' in shown

    assert admin.form("/organization/wallet/unbind", {}).status_code == 302
    assert '<code id="bound-wallet">none bound</code>' in admin.client.get("/organization").get_data(as_text=True)
