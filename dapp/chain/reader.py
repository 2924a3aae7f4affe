"""Reading certificates straight from the chain, for verification that does not trust our database (R-VER)."""

from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak
from hexbytes import HexBytes

from dapp.chain.contracts import Chain

CERTIFICATE_DATA = "(bytes32,address,uint256,uint64,uint64,bytes16,bytes32,string)"


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
    committed_hash: bytes
    is_revoked: bool

    def data_hash(self) -> bytes:
        """keccak256(abi.encode(CertificateData)) recomputed from the event, to compare with the commitment."""
        data = (
            self.token_id.to_bytes(32, "big"),
            self.to,
            self.volume_wh,
            self.period_start,
            self.period_end,
            self.reservation_id,
            self.contributions_root,
            self.metadata_cid,
        )
        return keccak(encode([CERTIFICATE_DATA], [data]))


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
    return IssuedOnChain(
        token_id=token_id,
        to=args["to"],
        volume_wh=args["volumeWh"],
        period_start=args["periodStart"],
        period_end=args["periodEnd"],
        reservation_id=bytes(args["reservationId"]),
        contributions_root=bytes(args["contributionsRoot"]),
        metadata_cid=args["metadataCid"],
        tx_hash=HexBytes(event["transactionHash"]).to_0x_hex(),
        block_number=event["blockNumber"],
        committed_hash=bytes(contract.functions.certificateDataHash(token_id).call()),
        is_revoked=contract.functions.isRevoked(token_id).call(),
    )


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
