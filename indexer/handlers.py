"""What indexed events change in the registry's tables, and how a rewind undoes it.

Every derived fact is a function of the stored events, so applying and undoing share one rule: recompute the
facts of the token ids an event touched.

- `token_transfer` (one row per token id moved) and `token_claim` rows are written with their `chain_event`
  and deleted with it (foreign key, on delete cascade);
- `token_balance` of a touched token id is recomputed from its transfers;
- `certificate_chain_state` (revocation, provisional beneficiary, I-REC serials and their document's CID, a
  release as D-REC) folds the certificate's
  events in chain order; after a rewind it is folded again from the events that remain;
- a platform certificate becomes `minted` when its CertificateIssued is indexed and `pending` again when a
  rewind removes it.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, String, delete, literal_column, select, text, update
from sqlalchemy.orm import Session

from dapp import events
from dapp.chain.certificate_data import metadata_cid
from dapp.models.chain import CertificateChainState, ChainEvent, TokenClaim, TokenTransfer
from dapp.models.issuance import Certificate, CertificateStatus
from indexer import bulk
from indexer.decoding import DecodedEvent

CERTIFICATES = "DrecCertificates"
ZERO_ADDRESS = "0x" + "00" * 20
STATE_EVENTS = ("CertificateRevoked", "ProvisionalIssued", "IrecIssued", "ProvisionalReleased")
TOKEN_ID = literal_column("chain_event.args ->> 'id'", String)

RECOMPUTE_BALANCES = text("""
    WITH moves AS (
        SELECT token_id, to_address AS holder, value_wh AS delta_wh
          FROM token_transfer WHERE token_id = ANY(:tokens) AND to_address <> :zero
        UNION ALL
        SELECT token_id, from_address, -value_wh
          FROM token_transfer WHERE token_id = ANY(:tokens) AND from_address <> :zero
    )
    INSERT INTO token_balance (token_id, holder, balance_wh)
    SELECT token_id, holder, sum(delta_wh) FROM moves GROUP BY token_id, holder HAVING sum(delta_wh) <> 0
""")

MARK_MINTED = text("""
    WITH newly AS (
        SELECT certificate.id, issued.tx_hash, certificate.status <> :minted AS is_new
          FROM certificate
          JOIN unnest(CAST(:tokens AS varchar[]), CAST(:tx_hashes AS varchar[])) AS issued (token_id, tx_hash)
            ON certificate.token_id = issued.token_id
    )
    UPDATE certificate SET status = :minted, mint_tx_hash = newly.tx_hash
      FROM newly
     WHERE certificate.id = newly.id
    RETURNING newly.is_new, certificate.id, certificate.beneficiary_organization_id, certificate.token_id,
              certificate.volume_wh, certificate.reservation_id, certificate.window_start, certificate.window_end,
              certificate.mint_tx_hash
""")


class IndexedEvent(NamedTuple):
    """A decoded event and the id of its `chain_event` row."""

    id: int
    event: DecodedEvent


def apply(session: Session, events: Sequence[IndexedEvent], timestamps: dict[int, int]) -> None:
    """Apply newly stored events (in chain order). `timestamps`: block number → unix time, for claims."""
    ours = [e for e in events if e.event.contract == CERTIFICATES]
    transfers = [row for e in ours for row in _transfer_rows(e)]
    bulk.insert_rows(session, TokenTransfer, transfers)
    bulk.insert_rows(session, TokenClaim, [_claim_row(e, timestamps) for e in ours if e.event.event == "ClaimSingle"])
    _mark_minted(session, [e.event for e in ours if e.event.event == "CertificateIssued"])
    _fold_chain_state(session, [e.event for e in ours if e.event.event in STATE_EVENTS])
    recompute_balances(session, {row["token_id"] for row in transfers})


def rewind(session: Session, above_block: int) -> set[str]:
    """Delete the events of blocks above `above_block` and undo their effects; returns the touched token ids."""
    orphaned = session.execute(
        select(ChainEvent.event, ChainEvent.args).where(
            ChainEvent.block_number > above_block, ChainEvent.contract == CERTIFICATES
        )
    )
    tokens = {token for event, args in orphaned for token in token_ids(event, args)}
    session.execute(delete(ChainEvent).where(ChainEvent.block_number > above_block))
    recompute_balances(session, tokens)
    _recompute_certificates(session, tokens)
    return tokens


def token_ids(event: str, args: dict[str, Any]) -> list[str]:
    """The token ids an event of DrecCertificates is about."""
    if event == "TransferBatch":
        return list(args["ids"])
    return [args["id"]] if "id" in args else []


def recompute_balances(session: Session, tokens: Iterable[str]) -> None:
    """Rebuild the `token_balance` rows of `tokens` from their transfers."""
    tokens = sorted(tokens)
    if not tokens:
        return
    session.execute(text("DELETE FROM token_balance WHERE token_id = ANY(:tokens)"), {"tokens": tokens})
    session.execute(RECOMPUTE_BALANCES, {"tokens": tokens, "zero": ZERO_ADDRESS})


def _transfer_rows(indexed: IndexedEvent) -> list[dict[str, Any]]:
    event = indexed.event
    if event.event == "TransferSingle":
        moves = [(event.args["id"], event.args["value"])]
    elif event.event == "TransferBatch":
        moves = list(zip(event.args["ids"], event.args["values"], strict=True))
    else:
        return []
    parties = {"from_address": event.args["from"].lower(), "to_address": event.args["to"].lower()}
    return [
        {"event_id": indexed.id, "position": position, "token_id": token, "value_wh": int(value), **parties}
        for position, (token, value) in enumerate(moves)
    ]


def _claim_row(indexed: IndexedEvent, timestamps: dict[int, int]) -> dict[str, Any]:
    event = indexed.event
    return {
        "event_id": indexed.id,
        "token_id": event.args["id"],
        "holder": event.args["claimSubject"].lower(),
        "claimed_by": event.args["claimIssuer"].lower(),
        "claimed_wh": int(event.args["value"]),
        "claim_data": bytes.fromhex(event.args["claimData"][2:]),
        "tx_hash": event.tx_hash,
        "claimed_at": datetime.fromtimestamp(timestamps[event.block_number], UTC),
    }


def _mark_minted(session: Session, issued: list[DecodedEvent]) -> None:
    """Mark the platform's certificates minted; those that were not yet announce it to their owner's webhooks."""
    if not issued:
        return
    rows = session.execute(
        MARK_MINTED,
        {
            "tokens": [e.args["id"] for e in issued],
            "tx_hashes": [e.tx_hash for e in issued],
            "minted": CertificateStatus.MINTED,
        },
    )
    minted = [(row.beneficiary_organization_id, "certificate.minted", _minted_data(row)) for row in rows if row.is_new]
    events.emit_many(session, minted, datetime.now(UTC))


def _minted_data(row: Any) -> dict[str, Any]:
    return {
        "certificate_id": row.id,
        "token_id": row.token_id,
        "volume_wh": row.volume_wh,
        "reservation_id": row.reservation_id,
        "window_start": row.window_start,
        "window_end": row.window_end,
        "tx_hash": row.mint_tx_hash,
    }


def _fold_chain_state(session: Session, events: list[DecodedEvent]) -> None:
    """Fold revocations, provisional issuances and I-REC confirmations into each certificate's row."""
    if not events:
        return
    tokens = {e.args["id"] for e in events}
    states = {
        state.token_id: state
        for state in session.scalars(
            select(CertificateChainState).where(CertificateChainState.token_id.in_(tokens)).with_for_update()
        )
    }
    for event in events:
        state = states.get(event.args["id"])
        if state is None:
            state = states[event.args["id"]] = CertificateChainState(token_id=event.args["id"], is_revoked=False)
            session.add(state)
        _fold(state, event.event, event.args)
    session.flush()


def _fold(state: CertificateChainState, event: str, args: dict[str, Any]) -> None:
    if event == "CertificateRevoked":
        state.is_revoked = True
        state.revocation_reason = args["reason"]
    elif event == "ProvisionalIssued":
        state.provisional_beneficiary = args["beneficiary"].lower()
    elif event == "IrecIssued":
        state.irec_serial_start = args["serialStart"]
        state.irec_serial_end = args["serialEnd"]
        state.irec_metadata_cid = metadata_cid(_hex(args["metadataCidPrefix"]), _hex(args["metadataCidDigest"]))
    elif event == "ProvisionalReleased":
        state.released_wh = int(args["volumeWh"])
        state.is_released_whole = int(args["provisionalWh"]) == 0


def _hex(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def certificate_events(tokens: set[str]) -> Select[tuple[str, dict[str, Any], str]]:
    """The stored events that make the chain state of `tokens`, in chain order. The token id is the expression of
    `ix_chain_event_token_id` written out (a bound key, `args ->> $1`, would not match it in a generic plan): the
    look-up reads the tokens' events, not every event indexed (ADR 0128)."""
    return (
        select(ChainEvent.event, ChainEvent.args, ChainEvent.tx_hash)
        .where(
            ChainEvent.contract == CERTIFICATES,
            ChainEvent.event.in_(("CertificateIssued", *STATE_EVENTS)),
            TOKEN_ID.in_(sorted(tokens)),
        )
        .order_by(ChainEvent.block_number, ChainEvent.log_index)
    )


def _recompute_certificates(session: Session, tokens: set[str]) -> None:
    """After a rewind: certificate status and chain state of `tokens` from the events that remain."""
    if not tokens:
        return
    remaining = session.execute(certificate_events(tokens)).all()
    session.execute(delete(CertificateChainState).where(CertificateChainState.token_id.in_(tokens)))
    _fold_chain_state(
        session,
        [_stored(event, args, tx_hash) for event, args, tx_hash in remaining if event in STATE_EVENTS],
    )
    issued = {args["id"] for event, args, _ in remaining if event == "CertificateIssued"}
    session.execute(
        update(Certificate)
        .where(
            Certificate.token_id.in_(tokens - issued),
            Certificate.status == CertificateStatus.MINTED,
        )
        .values(status=CertificateStatus.PENDING)
    )


def _stored(event: str, args: dict[str, Any], tx_hash: str) -> DecodedEvent:
    return DecodedEvent(CERTIFICATES, event, 0, "", tx_hash, 0, args, None)
