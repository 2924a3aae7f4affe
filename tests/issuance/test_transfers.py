"""Transfers (R-ISS-10) end to end on anvil: custodial ones through the platform, others straight on chain; what
the pages show of ownership follows the indexer (R-IDX-1)."""

from typing import Any

from eth_account import Account

from dapp import platform
from dapp.access.auth import actor_for_user
from dapp.chain import contracts
from tests.factories.accounts import Org, make_member, signed_in, user_by_email
from tests.indexer import onchain
from tests.issuance.test_claims import CLAIM
from tests.support.journeys import Member, onboard
from tests.support.wallets import bind
from tests.support.workers import run_indexer, run_jobs, scheduler_tick, settle
from tests.test_slice import build_slice, certificates, chain_balance


def transfers_path(certificate: dict[str, Any]) -> str:
    return f"/api/v1/certificates/{certificate['id']}/transfers"


def owned(member: Member, certificate: dict[str, Any]) -> int:
    return member.api("GET", f"/api/v1/certificates/{certificate['id']}").json["owned_wh"]


def second_buyer(app: Any, settings: Any) -> tuple[Member, str]:
    blue = onboard(app, settings.mail_dir, "buyer", "Blue Buyer", "buyer@blue.example")
    return blue, blue.api("GET", "/api/v1/organization").json["blockchain_address"]


def send_without_indexing() -> None:
    scheduler_tick()
    run_jobs()


def test_a_custodial_transfer_reaches_the_other_organization_once_indexed(app, settings) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    volume, token = certificate["volume_wh"], certificate["token_id"]
    assert certificate["owned_wh"] == volume
    blue, blue_account = second_buyer(app, settings)

    response = buyer.api("POST", transfers_path(certificate), {"volume_wh": 2_000, "to_organization": "blue BUYER"})
    assert response.status_code == 201, response.json
    assert (response.json["status"], response.json["to_address"]) == ("pending", blue_account)
    assert response.json["recipient_organization"] == "Blue Buyer"

    send_without_indexing()
    [sent] = buyer.api("GET", transfers_path(certificate)).json
    assert sent["status"] == "sent"
    assert chain_balance(blue_account, token) == 2_000
    assert owned(buyer, certificate) == volume  # the pages follow the index, which has not seen it yet
    assert certificates(blue) == []
    rest = {"volume_wh": volume - 1_999, "to_organization": "Blue Buyer"}
    refused = buyer.api("POST", transfers_path(certificate), rest)
    assert (refused.status_code, refused.json["errors"][0]["code"]) == (422, "transfer_exceeds_balance")

    run_indexer()
    [done] = buyer.api("GET", transfers_path(certificate)).json
    assert done["status"] == "transferred"
    assert owned(buyer, certificate) == volume - 2_000
    [received] = certificates(blue)
    assert (received["id"], received["owned_wh"]) == (certificate["id"], 2_000)

    onward = Account.create().address
    passed_on = blue.api("POST", transfers_path(certificate), {"volume_wh": 500, "to_address": onward})
    assert passed_on.status_code == 201, passed_on.json
    settle()
    assert (chain_balance(onward, token), owned(blue, certificate)) == (500, 1_500)


def test_the_certificates_page_transfers_and_shows_the_owned_volume(app, settings) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    recipient = Account.create().address
    page = f"/certificates/{certificate['id']}/transfers"

    response = buyer.form(page, {"volume_wh": "1000", "to_address": recipient})
    assert response.status_code == 302
    settle()

    listing = buyer.client.get("/certificates").get_data(as_text=True)
    assert f'class="owned" data-wh="{certificate["volume_wh"] - 1_000}"' in listing
    assert page in listing
    transfers = buyer.client.get(page).get_data(as_text=True)
    assert recipient in transfers
    assert '<span class="badge">transferred</span>' in transfers
    too_much = buyer.form(page, {"volume_wh": str(certificate["volume_wh"]), "to_address": recipient})
    assert too_much.status_code == 422
    assert "can still be transferred" in too_much.get_data(as_text=True)


def test_claimed_and_pending_volume_cannot_be_transferred(app, settings) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    volume, path = certificate["volume_wh"], transfers_path(certificate)
    claims = f"/api/v1/certificates/{certificate['id']}/claims"
    recipient = Account.create().address
    assert buyer.api("POST", claims, {**CLAIM, "volume_wh": 1_000}).status_code == 201

    too_much = buyer.api("POST", path, {"volume_wh": volume - 999, "to_address": recipient})
    assert (too_much.status_code, too_much.json["errors"][0]["code"]) == (422, "transfer_exceeds_balance")
    assert buyer.api("POST", path, {"volume_wh": volume - 1_000, "to_address": recipient}).status_code == 201
    nothing_left = buyer.api("POST", claims, {**CLAIM, "volume_wh": 1})
    assert nothing_left.json["errors"][0]["code"] == "claim_exceeds_balance"

    settle()
    assert owned(buyer, certificate) == 0
    gone = buyer.api("POST", path, {"volume_wh": 1, "to_address": recipient})
    assert (gone.status_code, gone.json["code"]) == (409, "certificate_not_owned")


def test_a_revoked_certificate_can_be_neither_transferred_nor_claimed(app, settings) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    onchain.revoke(certificate["token_id"], "meter tampering")
    run_indexer()
    transfer = buyer.api("POST", transfers_path(certificate), {"volume_wh": 1, "to_address": Account.create().address})
    claim = buyer.api("POST", f"/api/v1/certificates/{certificate['id']}/claims", {**CLAIM, "volume_wh": 1})
    for refused in (transfer, claim):
        assert (refused.status_code, refused.json["code"]) == (409, "certificate_revoked")
        assert "meter tampering" in refused.json["detail"]


def test_recipients_are_checked(app, settings) -> None:
    journey = build_slice(app, settings)
    buyer = journey["buyer"]
    [certificate] = certificates(buyer)
    path = transfers_path(certificate)
    own_account = journey["reservation"]["wallet_address"]
    cases = {
        "unknown_organization": {"volume_wh": 1, "to_organization": "Nobody Ltd"},
        "same_account": {"volume_wh": 1, "to_address": own_account},
        "bad_checksum": {"volume_wh": 1, "to_address": "0x52908400098527886E0F7030069857D2E4169Ee7"},
    }
    for code, body in cases.items():
        response = buyer.api("POST", path, body)
        assert (response.status_code, response.json["errors"][0]["code"]) == (422, code), body
    to_self = buyer.api("POST", path, {"volume_wh": 1, "to_organization": "Green Buyer Ltd"})
    assert to_self.json["errors"][0]["code"] == "same_account"  # without a bound wallet, its own account
    for body in ({"volume_wh": 1}, {"volume_wh": 1, "to_address": own_account, "to_organization": "Blue Buyer"}):
        assert buyer.api("POST", path, body).json["code"] == "validation_failed"
    other = journey["developer"].api("POST", path, {"volume_wh": 1, "to_address": Account.create().address})
    assert (other.status_code, other.json["code"]) == (404, "certificate_not_found")


def test_a_transfer_the_chain_refuses_fails_and_frees_its_volume(app, settings) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    volume, path = certificate["volume_wh"], transfers_path(certificate)
    chain = contracts.from_settings(platform.current().settings)
    not_a_receiver = chain.deployment["contracts"]["DrecCertificates"]["address"]  # no onERC1155Received

    assert buyer.api("POST", path, {"volume_wh": volume, "to_address": not_a_receiver}).status_code == 201
    settle()
    [failed] = buyer.api("GET", path).json
    assert failed["status"] == "failed"
    assert "refused" in failed["failure"]
    assert owned(buyer, certificate) == volume
    assert buyer.api("POST", path, {"volume_wh": volume, "to_address": Account.create().address}).status_code == 201


def test_a_buyer_with_its_own_wallet_transfers_on_chain_and_the_index_follows(app, settings) -> None:
    wallet = onchain.new_wallet()

    def bind_own_wallet(buyer: Member) -> None:
        assert bind(buyer, Account.from_key(wallet.key)).status_code == 200

    journey = build_slice(app, settings, prepare_buyer=bind_own_wallet)
    buyer = journey["buyer"]
    [certificate] = certificates(buyer)
    volume, token = certificate["volume_wh"], certificate["token_id"]
    assert journey["reservation"]["wallet_address"] == wallet.address
    assert chain_balance(wallet.address, token) == volume  # minted to the bound wallet
    assert certificate["owned_wh"] == volume
    transfer = buyer.api("POST", transfers_path(certificate), {"volume_wh": 1, "to_address": Account.create().address})
    claim = buyer.api("POST", f"/api/v1/certificates/{certificate['id']}/claims", {**CLAIM, "volume_wh": 1})
    for refused in (transfer, claim):
        assert (refused.status_code, refused.json["code"]) == (409, "external_wallet")

    blue, blue_account = second_buyer(app, settings)
    onchain.transfer(wallet, blue_account, token, 3_000)  # signed by the buyer's own key, not by the platform
    run_indexer()

    assert owned(buyer, certificate) == volume - 3_000
    [received] = certificates(blue)
    assert (received["id"], received["owned_wh"]) == (certificate["id"], 3_000)
    claimed = blue.api("POST", f"/api/v1/certificates/{certificate['id']}/claims", {**CLAIM, "volume_wh": 1_000})
    assert claimed.status_code == 201, claimed.json  # what arrives in a managed account is custodial
    settle()
    assert owned(blue, certificate) == 2_000


def test_members_who_may_only_read_certificates_cannot_transfer(app, settings) -> None:
    buyer = build_slice(app, settings)["buyer"]
    [certificate] = certificates(buyer)
    with platform.current().db.unit_of_work() as session:
        admin = actor_for_user(session, user_by_email(buyer.email).id)
    make_member(Org(admin, "", buyer.email), "reader@green.example", {"certificates": ["READ"]})
    reader = signed_in(app, "reader@green.example")
    body = {"volume_wh": 1, "to_address": Account.create().address}

    assert reader.form(f"/certificates/{certificate['id']}/transfers", body).status_code == 403
    response = reader.api("POST", transfers_path(certificate), body)
    assert (response.status_code, response.json["permission"]) == (403, "UPDATE")
    assert reader.api("GET", transfers_path(certificate)).json == []
