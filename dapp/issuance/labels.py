"""What a certificate's state is in words, following what its holder did with it (claims and transfers)."""

from dapp.issuance.schemas import CertificateRead
from dapp.models.issuance import CertificateStatus


def holding_state(certificate: CertificateRead) -> str:
    """Minting until the chain has it; then, for a buyer, how much of it was claimed or passed on."""
    if certificate.status != CertificateStatus.MINTED:
        return "Minting"
    if certificate.owned_wh is None:
        return "Minted"
    claimed, owned, volume = certificate.claimed_wh or 0, certificate.owned_wh, certificate.volume_wh
    if claimed >= volume:
        return "Claimed"
    if claimed:
        return "Partly claimed"
    if owned == 0:
        return "Transferred"
    return "Partly transferred" if owned < volume else "Minted"
