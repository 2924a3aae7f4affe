"""Errors of issuance, each a problem document with a stable code (STYLE.md: `<Subject><Problem>`)."""

from dapp.errors import Conflict, NotFound


class CertificateNotFound(NotFound):
    """No certificate has this id (in the organization, for member routes)."""

    code = "certificate_not_found"


class CertificateNotMinted(Conflict):
    """The certificate is not minted yet."""

    code = "certificate_not_minted"


class CertificateNotOwned(Conflict):
    """The organization's managed account holds none of the certificate."""

    code = "certificate_not_owned"


class CertificateRevoked(Conflict):
    """The certificate was revoked: it can be neither claimed nor transferred."""

    code = "certificate_revoked"


class ClaimNotFound(NotFound):
    """The organization has no claim with this id."""

    code = "claim_not_found"


class ClaimNotRecorded(Conflict):
    """The claim is not recorded on chain yet; its statement follows once it is."""

    code = "claim_not_recorded"


class DeviceNotInCertificate(NotFound):
    """The device did not contribute to the certificate."""

    code = "device_not_in_certificate"


class ExternalWallet(Conflict):
    """The certificate is in the organization's own wallet: act on chain from that wallet."""

    code = "external_wallet"


class CertificateRedeemedAsIrec(Conflict):
    """The certificate is redeemed (or being redeemed) as I-REC: it cannot also be claimed as a D-REC (R-IREC-3)."""

    code = "certificate_redeemed_as_irec"


class CertificateHeldProvisionally(Conflict):
    """The certificate is held in the platform's provisional account on the buyer's behalf until the I-REC registry
    issues it (R-IREC-1): it can be neither claimed nor transferred yet."""

    code = "certificate_held_provisionally"


class CertificateEnergyRedeemedAsIrec(Conflict):
    """Some of the certificate's energy is in an I-REC serial already redeemed with another certificate (a serial
    straddling both, ADR 0113): it cannot also be claimed as a D-REC; redeeming it as I-REC burns it."""

    code = "certificate_energy_redeemed_as_irec"
