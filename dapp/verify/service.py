"""Verification of a certificate (R-VER-1): chain facts, the IPFS document, recomputed CID and Merkle root.

The report is built from the chain and IPFS first; the platform's record is only compared with them.
"""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.chain import reader
from dapp.chain.contracts import Chain
from dapp.ipfs import ContentStore, ContentStoreError, InvalidCID, cid_for_bytes
from dapp.issuance import merkle
from dapp.issuance.errors import CertificateNotFound
from dapp.models.issuance import Certificate
from dapp.verify.schemas import CertificateVerification, ChainFacts, Check

CONSISTENT, INCONSISTENT = "consistent", "inconsistent"
TOKEN_ID_LIMIT = 2**256  # ERC-1155 token ids are uint256
TOKEN_ID_DIGITS = len(str(TOKEN_ID_LIMIT))


def find_certificate(session: Session, reference: str) -> tuple[int, Certificate | None]:
    """The token id a reference names (a token id or a certificate uuid) and the platform's record, if any."""
    if reference.isascii() and reference.isdigit():
        if len(reference) > TOKEN_ID_DIGITS or int(reference) >= TOKEN_ID_LIMIT:
            raise CertificateNotFound("A token id is a uint256 (below 2^256); no certificate has this one.")
        token_id = int(reference)
        return token_id, session.scalar(select(Certificate).where(Certificate.token_id == str(token_id)))
    try:
        certificate = session.get(Certificate, uuid.UUID(reference))
    except ValueError:
        certificate = None
    if certificate is None:
        raise CertificateNotFound("No certificate has this token id or certificate id.")
    return int(certificate.token_id), certificate


def verify(session: Session, chain: Chain, content: ContentStore, reference: str) -> CertificateVerification:
    token_id, record = find_certificate(session, reference)
    issued = reader.issued_certificate(chain, token_id)
    if issued is None:
        check = Check(name="issued on chain", passed=False, detail="No CertificateIssued event has this token id.")
        return CertificateVerification(
            reference=reference, verdict=INCONSISTENT, checks=[check], chain=None, metadata=None
        )
    document, checks = _document_checks(content, issued)
    checks.insert(0, Check(name="issued on chain", passed=True, detail=f"Transaction {issued.tx_hash}."))
    checks.append(_commitment_check(issued))
    if record is not None:
        checks.append(_record_check(record, issued))
    verdict = CONSISTENT if all(c.passed for c in checks) else INCONSISTENT
    return CertificateVerification(
        reference=reference, verdict=verdict, checks=checks, chain=_facts(chain, issued), metadata=document
    )


def _document_checks(content: ContentStore, issued: reader.IssuedOnChain) -> tuple[dict[str, Any] | None, list[Check]]:
    try:
        raw = content.get(issued.metadata_cid)
    except (ContentStoreError, InvalidCID) as error:
        return None, [Check(name="metadata in IPFS", passed=False, detail=f"Not retrievable: {error}")]
    document = json.loads(raw)
    recomputed = cid_for_bytes(raw)
    return document, [
        Check(
            name="metadata CID recomputes",
            passed=recomputed == issued.metadata_cid,
            detail=f"CID of the document's bytes: {recomputed}.",
        ),
        _root_check(document, issued),
        _volume_check(document, issued),
    ]


def _root_check(document: dict[str, Any], issued: reader.IssuedOnChain) -> Check:
    leaves = [
        merkle.leaf(
            uuid.UUID(c["device_id"]),
            datetime.fromisoformat(c["start"]),
            datetime.fromisoformat(c["end"]),
            int(c["energy_wh"]),
        )
        for c in sorted(document.get("contributions", []), key=lambda c: uuid.UUID(c["device_id"]).bytes)
    ]
    root = merkle.root(leaves)
    return Check(
        name="contributions Merkle root recomputes",
        passed=root == issued.contributions_root,
        detail=f"Root of the document's {len(leaves)} contribution(s): 0x{root.hex()}.",
    )


def _volume_check(document: dict[str, Any], issued: reader.IssuedOnChain) -> Check:
    total = sum(int(c["energy_wh"]) for c in document.get("contributions", []))
    passed = total == issued.volume_wh == int(document.get("volume_wh", -1))
    return Check(
        name="volume adds up",
        passed=passed,
        detail=f"Contributions {total} Wh, document {document.get('volume_wh')} Wh, chain {issued.volume_wh} Wh.",
    )


def _commitment_check(issued: reader.IssuedOnChain) -> Check:
    return Check(
        name="event matches the on-chain commitment",
        passed=issued.is_committed,
        detail="The contract confirms that the certificate's batch, as its events publish it, is the one it "
        "committed (isCommitted)."
        if issued.is_committed
        else "The events of the certificate's batch do not match the commitment the contract stored.",
    )


def _record_check(record: Certificate, issued: reader.IssuedOnChain) -> Check:
    mismatches = [
        name
        for name, ours, theirs in (
            ("volume", record.volume_wh, issued.volume_wh),
            ("owner", record.owner_address.lower(), issued.to.lower()),
            ("period start", int(record.generation_start.timestamp()), issued.period_start),
            ("period end", int(record.generation_end.timestamp()), issued.period_end),
            ("metadata CID", record.metadata_cid, issued.metadata_cid),
            ("contributions root", record.contributions_root, "0x" + issued.contributions_root.hex()),
        )
        if ours != theirs
    ]
    detail = (
        "The platform's record agrees with the chain."
        if not mismatches
        else f"The platform's record differs on: {', '.join(mismatches)}."
    )
    return Check(name="platform record agrees", passed=not mismatches, detail=detail)


def _facts(chain: Chain, issued: reader.IssuedOnChain) -> ChainFacts:
    claims = reader.claims(chain, issued.token_id)
    return ChainFacts(
        token_id=str(issued.token_id),
        owner=issued.to,
        owner_balance_wh=reader.balance(chain, issued.to, issued.token_id),
        volume_wh=issued.volume_wh,
        period_start=datetime.fromtimestamp(issued.period_start, UTC),
        period_end=datetime.fromtimestamp(issued.period_end, UTC),
        metadata_cid=issued.metadata_cid,
        contributions_root="0x" + issued.contributions_root.hex(),
        tx_hash=issued.tx_hash,
        block_number=issued.block_number,
        is_revoked=issued.is_revoked,
        claimed_wh=sum(c.volume_wh for c in claims),
        claims=[{"claimant": c.claimant, "volume_wh": c.volume_wh, "tx_hash": c.tx_hash} for c in claims],
    )
