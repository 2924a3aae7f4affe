"""What a certificate's state is in words, following what its holder did with it (claims and transfers) and where
it stands between D-REC and I-REC."""

from dapp.issuance.schemas import CertificateRead, StandardState
from dapp.models.issuance import CertificateStatus

STANDARD_STATES = {
    StandardState.DREC: "D-REC",
    StandardState.IREC_PENDING: "I-REC pending (provisional)",
    StandardState.IREC_REJECTED: "I-REC rejected",
    StandardState.IREC_ISSUED: "I-REC issued",
    StandardState.IREC_REDEEMED: "Redeemed as I-REC",
    StandardState.DREC_RELEASED: "Released as D-REC",
}
PROVISIONAL = (StandardState.IREC_PENDING, StandardState.IREC_REJECTED)


def holding_state(certificate: CertificateRead) -> str:
    """Minting until the chain has it; then, for a buyer, how much of it was claimed or passed on."""
    if certificate.status != CertificateStatus.MINTED:
        return "Minting"
    if certificate.owned_wh is None:
        return "Minted"
    if certificate.standard is not None and certificate.standard.state in PROVISIONAL:
        return "Provisional"
    claimed, owned, volume = certificate.claimed_wh or 0, certificate.owned_wh, certificate.volume_wh
    if claimed >= volume:
        return "Claimed"
    if claimed:
        return "Partly claimed"
    if owned == 0:
        return "Transferred"
    return "Partly transferred" if owned < volume else "Minted"


def standard_state(certificate: CertificateRead) -> str:
    """D-REC, or where the certificate stands as I-REC."""
    return STANDARD_STATES[certificate.standard.state] if certificate.standard else "—"
