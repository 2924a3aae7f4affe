"""A buyer binds its own wallet (R-CHAIN-4): the wallet signs a single-use challenge, the server recovers the signer.

Only an organization admin binds or unbinds; both are audited. A bound wallet receives the certificates of the
organization's new reservations; unbinding returns them to the platform-managed account (see ADR 0054).
"""

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dapp.access.permissions import Actor, PlatformAdmin, require_org_admin
from dapp.accounts.errors import (
    ChallengeExpired,
    ChallengeNotFound,
    ChallengeUsed,
    NotABuyer,
    WalletBoundElsewhere,
    WalletNotBound,
)
from dapp.accounts.schemas import WalletBindingCreate, WalletChallengeCreate, WalletChallengeRead
from dapp.audit import service as audit
from dapp.chain.accounts import MalformedSignature, checked_address, personal_sign_signer, typed_data_signer
from dapp.db import flush_or_raise
from dapp.errors import Conflict, field_error
from dapp.models.accounts import Organization, OrganizationType, WalletChallenge

CHALLENGE_TTL = timedelta(minutes=10)
TYPED_DATA_DOMAIN = {"name": "D-REC registry", "version": "1"}
TYPED_DATA_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
    ],
    "WalletBinding": [
        {"name": "wallet", "type": "address"},
        {"name": "organization", "type": "string"},
        {"name": "nonce", "type": "bytes32"},
        {"name": "issuedAt", "type": "uint256"},
        {"name": "expiresAt", "type": "uint256"},
    ],
}


def request_challenge(
    session: Session,
    actor: Actor | PlatformAdmin,
    now: datetime,
    chain_id: int,
    issuer: str,
    data: WalletChallengeCreate,
) -> WalletChallenge:
    """A fresh challenge for `data.address`, valid for ten minutes; `issuer` is the platform's URL."""
    admin = require_org_admin(actor)
    organization = _buyer(session, admin)
    address = checked_address("address", data.address)
    _require_bindable(session, organization, address)
    assert admin.user_id is not None  # require_org_admin refuses API keys
    challenge = WalletChallenge(
        organization_id=organization.id,
        requested_by_id=admin.user_id,
        address=address,
        chain_id=chain_id,
        nonce=secrets.token_hex(32),
        issued_at=now,
        expires_at=now + CHALLENGE_TTL,
    )
    challenge.message = _message(challenge, issuer)
    session.add(challenge)
    session.flush()
    return challenge


def _message(challenge: WalletChallenge, issuer: str) -> str:
    return (
        f"{issuer} asks you to bind this wallet to an organization of the D-REC registry.\n"
        "Certificates of the organization's new reservations will be sent to it. "
        "Signing sends no transaction and costs nothing.\n\n"
        f"Wallet: {challenge.address}\n"
        f"Organization: {challenge.organization_id}\n"
        f"Chain ID: {challenge.chain_id}\n"
        f"Nonce: {challenge.nonce}\n"
        f"Issued At: {_iso(challenge.issued_at)}\n"
        f"Expiration Time: {_iso(challenge.expires_at)}"
    )


def _iso(instant: datetime) -> str:
    return instant.isoformat(timespec="seconds").replace("+00:00", "Z")


def typed_data(challenge: WalletChallenge) -> dict[str, Any]:
    """The same challenge as EIP-712 typed data (for wallets that sign structured data)."""
    return {
        "types": TYPED_DATA_TYPES,
        "primaryType": "WalletBinding",
        "domain": {**TYPED_DATA_DOMAIN, "chainId": challenge.chain_id},
        "message": {
            "wallet": challenge.address,
            "organization": str(challenge.organization_id),
            "nonce": "0x" + challenge.nonce,
            "issuedAt": int(challenge.issued_at.timestamp()),
            "expiresAt": int(challenge.expires_at.timestamp()),
        },
    }


def challenge_read(challenge: WalletChallenge) -> WalletChallengeRead:
    fields = {name: getattr(challenge, name) for name in ("id", "address", "message", "issued_at", "expires_at")}
    return WalletChallengeRead.model_validate({**fields, "typed_data": typed_data(challenge)})


def bind_wallet(
    session: Session, actor: Actor | PlatformAdmin, now: datetime, data: WalletBindingCreate
) -> Organization:
    """Bind the challenge's wallet once its signature is proven to come from that wallet."""
    admin = require_org_admin(actor)
    organization = _buyer(session, admin)
    challenge = _open_challenge(session, organization, data.challenge_id, now)
    signer = _signer(challenge, data)
    if signer != challenge.address:
        raise field_error(
            "signature",
            f"The signature was made by {signer}, not by the wallet {challenge.address} named in the challenge.",
            "wrong_signer",
        )
    _require_bindable(session, organization, challenge.address)
    challenge.used_at = now
    before = organization.bound_wallet_address
    organization.bound_wallet_address, organization.wallet_bound_at = challenge.address, now
    flush_or_raise(session, _bound_elsewhere(challenge.address))
    audit.record(
        session,
        admin,
        "organization.wallet_bind",
        "organization",
        organization.id,
        {"bound_wallet_address": before},
        {"bound_wallet_address": challenge.address, "scheme": data.scheme},
        now=now,
    )
    return organization


def unbind_wallet(session: Session, actor: Actor | PlatformAdmin, now: datetime) -> Organization:
    """Forget the bound wallet: new reservations send certificates to the platform-managed account again."""
    admin = require_org_admin(actor)
    organization = _buyer(session, admin)
    if organization.bound_wallet_address is None:
        raise WalletNotBound("Your organization has no wallet of its own bound.")
    before = organization.bound_wallet_address
    organization.bound_wallet_address, organization.wallet_bound_at = None, None
    session.flush()
    audit.record(
        session,
        admin,
        "organization.wallet_unbind",
        "organization",
        organization.id,
        {"bound_wallet_address": before},
        {"bound_wallet_address": None},
        now=now,
    )
    return organization


def _buyer(session: Session, admin: Actor) -> Organization:
    organization = session.get_one(Organization, admin.organization_id, with_for_update=True)
    if organization.type != OrganizationType.BUYER:
        raise NotABuyer("Only buyer organizations bind a wallet of their own.")
    return organization


def _open_challenge(
    session: Session, organization: Organization, challenge_id: uuid.UUID, now: datetime
) -> WalletChallenge:
    challenge = session.scalars(
        select(WalletChallenge)
        .where(WalletChallenge.id == challenge_id, WalletChallenge.organization_id == organization.id)
        .with_for_update()
    ).one_or_none()
    if challenge is None:
        raise ChallengeNotFound("No such wallet challenge in your organization.")
    if challenge.used_at is not None:
        raise ChallengeUsed("This challenge was already used: ask for a new one.")
    if challenge.expires_at <= now:
        raise ChallengeExpired(
            f"This challenge expired at {_iso(challenge.expires_at)}: ask for a new one and sign it within "
            f"{int(CHALLENGE_TTL.total_seconds() // 60)} minutes.",
        )
    return challenge


def reusable_challenge(
    session: Session, actor: Actor | PlatformAdmin, challenge_id: str, now: datetime
) -> WalletChallenge | None:
    """The organization's challenge `challenge_id` while it can still be signed (to show it again), else None."""
    try:
        challenge = session.get(WalletChallenge, uuid.UUID(challenge_id))
    except ValueError:
        return None
    if challenge is None or challenge.organization_id != actor.organization_id:
        return None
    return challenge if challenge.used_at is None and challenge.expires_at > now else None


def _signer(challenge: WalletChallenge, data: WalletBindingCreate) -> str:
    try:
        if data.scheme == "eip712":
            return typed_data_signer(typed_data(challenge), data.signature)
        return personal_sign_signer(challenge.message, data.signature)
    except MalformedSignature as error:
        raise field_error(
            "signature",
            f"The signature is malformed ({error}): send the 65-byte 0x… hex string.",
            "malformed_signature",
        ) from error


def _require_bindable(session: Session, organization: Organization, address: str) -> None:
    """The wallet is not this organization's managed account, nor any account of another organization."""
    if address.lower() == (organization.blockchain_address or "").lower():
        raise field_error(
            "address", "This is your platform-managed account, not a wallet of your own.", "managed_account"
        )
    taken = session.scalar(
        select(Organization.id).where(
            Organization.id != organization.id,
            or_(
                func.lower(Organization.bound_wallet_address) == address.lower(),
                func.lower(Organization.blockchain_address) == address.lower(),
            ),
        )
    )
    if taken is not None:
        raise _bound_elsewhere(address)


def _bound_elsewhere(address: str) -> Conflict:
    return WalletBoundElsewhere(f"The wallet {address} already belongs to another organization.")
