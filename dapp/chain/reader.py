"""Reading certificates straight from the chain, for verification that does not trust our database (R-VER)."""

from dataclasses import dataclass
from typing import Any

from hexbytes import HexBytes
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import TxReceipt

from dapp.chain.certificate_data import from_event, metadata_cid
from dapp.chain.contracts import Chain


@dataclass(frozen=True)
class IssuedOnChain:
    """A certificate as its `CertificateIssued` event and the contract's state say."""

    token_id: int
    to: str
    volume_wh: int
    period_start: int
    period_end: int
    reservation_id: bytes
    contributions_root: bytes
    metadata_cid: str
    tx_hash: str
    block_number: int
    is_committed: bool  # the contract confirms the certificate's batch, as its events show it, is committed
    is_revoked: bool


@dataclass(frozen=True)
class ClaimOnChain:
    claimant: str
    volume_wh: int
    claim_data: bytes
    tx_hash: str


def issued_certificate(chain: Chain, token_id: int) -> IssuedOnChain | None:
    """The certificate with this token id as recorded on chain, or None if it was never issued."""
    contract = chain.contract("DrecCertificates")
    logs = contract.events.CertificateIssued().get_logs(
        from_block=chain.deployment["block_number"], argument_filters={"id": token_id}
    )
    if not logs:
        return None
    event = logs[0]
    args = event["args"]
    receipt = chain.web3.eth.get_transaction_receipt(event["transactionHash"])
    batch = batch_of(contract, receipt, event["logIndex"])
    return IssuedOnChain(
        token_id=token_id,
        to=args["to"],
        volume_wh=args["volumeWh"],
        period_start=args["periodStart"],
        period_end=args["periodEnd"],
        reservation_id=bytes(args["reservationId"]),
        contributions_root=bytes(args["contributionsRoot"]),
        metadata_cid=metadata_cid(args["metadataCidPrefix"], args["metadataCidDigest"]),
        tx_hash=HexBytes(event["transactionHash"]).to_0x_hex(),
        block_number=event["blockNumber"],
        is_committed=bool(batch) and contract.functions.isCommitted(batch).call(),
        is_revoked=contract.functions.isRevoked(token_id).call(),
    )


def batch_of(contract: Contract, receipt: TxReceipt, log_index: int) -> list[tuple[Any, ...]]:
    """The CertificateData of the batch holding the `CertificateIssued` at `log_index`, rebuilt from the
    transaction's events: the certificates issued between the previous `BatchCommitted` and the next one.
    Empty when no `BatchCommitted` closes the batch or its count disagrees."""
    issued = contract.events.CertificateIssued().process_receipt(receipt, errors=DISCARD)
    commits = contract.events.BatchCommitted().process_receipt(receipt, errors=DISCARD)
    before = [c["logIndex"] for c in commits if c["logIndex"] < log_index]
    after = [c for c in commits if c["logIndex"] > log_index]
    if not after:
        return []
    start, end = max(before, default=-1), after[0]["logIndex"]
    batch = [from_event(e["args"]) for e in issued if start < e["logIndex"] < end]
    return batch if len(batch) == after[0]["args"]["count"] else []


def claims(chain: Chain, token_id: int) -> list[ClaimOnChain]:
    """Every claim (retirement) of the certificate, oldest first."""
    contract = chain.contract("DrecCertificates")
    logs = contract.events.ClaimSingle().get_logs(from_block=chain.deployment["block_number"])
    return [
        ClaimOnChain(
            log["args"]["claimSubject"],
            log["args"]["value"],
            bytes(log["args"]["claimData"]),
            HexBytes(log["transactionHash"]).to_0x_hex(),
        )
        for log in logs
        if log["args"]["id"] == token_id
    ]


def balance(chain: Chain, holder: str, token_id: int) -> int:
    return chain.contract("DrecCertificates").functions.balanceOf(holder, token_id).call()
