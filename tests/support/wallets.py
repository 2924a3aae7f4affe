"""Binding a wallet of one's own (R-CHAIN-4) as a wallet would: ask for the challenge, sign it, send it."""

from typing import Any

from eth_account.messages import encode_defunct, encode_typed_data
from eth_account.signers.local import LocalAccount

from tests.support.journeys import Member

CHALLENGES = "/api/v1/organization/wallet-challenges"
WALLET = "/api/v1/organization/wallet"


def challenge_for(admin: Member, address: str) -> dict[str, Any]:
    response = admin.api("POST", CHALLENGES, {"address": address})
    assert response.status_code == 201, response.json
    return response.json


def signature(wallet: LocalAccount, challenge: dict[str, Any], scheme: str = "personal_sign") -> str:
    """personal_sign (EIP-191) of the challenge's text, or eth_signTypedData_v4 (EIP-712) of its typed data."""
    if scheme == "eip712":
        signable = encode_typed_data(full_message=challenge["typed_data"])
    else:
        signable = encode_defunct(text=challenge["message"])
    return wallet.sign_message(signable).signature.to_0x_hex()


def submit(admin: Member, challenge: dict[str, Any], signed: str, scheme: str = "personal_sign") -> Any:
    return admin.api("PUT", WALLET, {"challenge_id": challenge["id"], "signature": signed, "scheme": scheme})


def bind(admin: Member, wallet: LocalAccount, scheme: str = "personal_sign") -> Any:
    challenge = challenge_for(admin, wallet.address)
    return submit(admin, challenge, signature(wallet, challenge, scheme), scheme)
