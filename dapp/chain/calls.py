"""The contract calls the platform sends, as typed functions: features say what to send in plain values (ids,
addresses, Wh, instants, bytes) and get back a `ContractCall` to hand to the chain outbox, never a web3 object.

One function per contract function; reading calls (`is_issued`) answer at once. Addresses are checked and put in
checksum form here, so callers may pass them in any letter case.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from web3 import Web3

from dapp.chain.certificate_data import CertificateData, metadata_cid_fields
from dapp.chain.contracts import Chain

CERTIFICATES = "DrecCertificates"
RESERVATION_LOG = "ReservationLog"


@dataclass(frozen=True)
class ContractCall:
    """A function of a deployed contract bound to its arguments, ready to be signed (dapp.chain.sending)."""

    function: Any  # web3's ContractFunction: it stays inside this package


def issue_batch(chain: Chain, certificates: list[CertificateData]) -> ContractCall:
    """Mint certificates to their owners and commit the batch's hash (`DrecCertificates.issueBatch`)."""
    data = [replace(certificate, to=_address(certificate.to)).as_struct() for certificate in certificates]
    return ContractCall(chain.contract(CERTIFICATES).functions.issueBatch(data))


def issue_provisional_batch(chain: Chain, certificates: list[CertificateData]) -> ContractCall:
    """Mint certificates to the provisional account on behalf of their owners (`issueProvisionalBatch`, R-IREC-1)."""
    data = [replace(certificate, to=_address(certificate.to)).as_struct() for certificate in certificates]
    return ContractCall(chain.contract(CERTIFICATES).functions.issueProvisionalBatch(data))


def confirm_irec(chain: Chain, token_id: int, serial_start: str, serial_end: str, metadata_cid: str) -> ContractCall:
    """Record a provisional certificate's I-REC serials and the CID of the metadata document naming them, and move
    its tokens to the beneficiary (`confirmIrec`)."""
    function = chain.contract(CERTIFICATES).functions.confirmIrec
    return ContractCall(function(token_id, serial_start, serial_end, *metadata_cid_fields(metadata_cid)))


def release_provisional(chain: Chain, token_id: int, volume_wh: int) -> ContractCall:
    """Move `volume_wh` of a provisional certificate to its beneficiary as plain D-REC (`releaseProvisional`)."""
    return ContractCall(chain.contract(CERTIFICATES).functions.releaseProvisional(token_id, volume_wh))


def is_partly_released(chain: Chain, token_id: int) -> bool:
    """Whether part of a provisional certificate was released as D-REC already (the rest still provisional)."""
    return bool(chain.contract(CERTIFICATES).functions.isPartlyReleased(token_id).call())


def is_provisional(chain: Chain, token_id: int) -> bool:
    """Whether the token is still held by the provisional account for its beneficiary."""
    beneficiary = chain.contract(CERTIFICATES).functions.provisionalBeneficiary(token_id).call()
    return int(beneficiary, 16) != 0


def is_issued(chain: Chain, token_id: int) -> bool:
    """Whether the contract already minted this token id (the certificate key it refuses twice)."""
    return bool(chain.contract(CERTIFICATES).functions.isIssued(token_id).call())


def claim(chain: Chain, holder: str, token_id: int, volume_wh: int, claim_data: bytes) -> ContractCall:
    """Retire `volume_wh` of a token held by `holder`, who sends the call (ERC-1888 `claim`)."""
    return ContractCall(chain.contract(CERTIFICATES).functions.claim(_address(holder), token_id, volume_wh, claim_data))


def transfer(chain: Chain, holder: str, to: str, token_id: int, volume_wh: int) -> ContractCall:
    """Move `volume_wh` of a token from `holder`, who sends the call, to `to` (ERC-1155 `safeTransferFrom`)."""
    function = chain.contract(CERTIFICATES).functions.safeTransferFrom
    return ContractCall(function(_address(holder), _address(to), token_id, volume_wh, b""))


@dataclass(frozen=True)
class ReservationOnChain:
    """What the reservation log records of a new reservation."""

    reservation_id: uuid.UUID
    buyer: str
    period_start: datetime
    period_end: datetime
    frequency: str
    target_wh: int
    authority_to_exceed: bool


def log_created(chain: Chain, reservation: ReservationOnChain, devices_hash: bytes, devices_cid: str) -> ContractCall:
    """Record a reservation's creation with the hash and CID of its device list (`ReservationLog.logCreated`)."""
    return ContractCall(
        chain.contract(RESERVATION_LOG).functions.logCreated(
            reservation.reservation_id.bytes,
            _address(reservation.buyer),
            int(reservation.period_start.timestamp()),
            int(reservation.period_end.timestamp()),
            reservation.frequency,
            reservation.target_wh,
            reservation.authority_to_exceed,
            devices_hash,
            devices_cid,
        )
    )


def log_devices_changed(chain: Chain, reservation_id: uuid.UUID, devices_hash: bytes, devices_cid: str) -> ContractCall:
    """Record a change of a reservation's devices (`ReservationLog.logDevicesChanged`)."""
    return ContractCall(
        chain.contract(RESERVATION_LOG).functions.logDevicesChanged(reservation_id.bytes, devices_hash, devices_cid)
    )


def log_ended(chain: Chain, reservation_id: uuid.UUID, ended_at: datetime) -> ContractCall:
    """Record the end of a reservation (`ReservationLog.logEnded`)."""
    return ContractCall(
        chain.contract(RESERVATION_LOG).functions.logEnded(reservation_id.bytes, int(ended_at.timestamp()))
    )


def _address(address: str) -> str:
    return Web3.to_checksum_address(address)
