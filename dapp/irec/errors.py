"""Errors of I-REC conversion, each a problem document with a stable code (STYLE.md: `<Subject><Problem>`)."""

from dapp.errors import Conflict, Invalid, NotFound


class DeviceGroupNotFound(NotFound):
    """No such device group (for this caller)."""

    code = "device_group_not_found"

    def __init__(self) -> None:
        super().__init__("No such I-REC device group.")


class DevicesNotFound(NotFound):
    """Some devices named do not exist in the caller's organization."""

    code = "devices_not_found"


class GroupMixesCountriesOrFuels(Invalid):
    """A device group is registered for one country and one fuel: its devices must share them."""

    code = "group_mixes_countries_or_fuels"


class DevicesInRegisteredGroup(Conflict):
    """Devices of a group submitted to or approved by the registry cannot move: the registry knows them there."""

    code = "devices_in_registered_group"


class GroupAlreadySubmitted(Conflict):
    """The group is submitted or approved already: it is submitted again only after a rejection."""

    code = "group_already_submitted"


class GroupEmpty(Conflict):
    """A group without devices cannot be registered."""

    code = "group_empty"


class IssueRequestNotFound(NotFound):
    """No such I-REC issue request."""

    code = "issue_request_not_found"

    def __init__(self) -> None:
        super().__init__("No such I-REC issue request.")


class IssueRequestNotRetryable(Conflict):
    """Only a rejected request, or one whose serials conflicted, is retried; the others are under way or done."""

    code = "issue_request_not_retryable"


class CertificateNotIrecIssued(Conflict):
    """Only a certificate issued as I-REC, its serials on chain, can be redeemed as I-REC."""

    code = "certificate_not_irec_issued"


class RedemptionOrClaimExists(Conflict):
    """A certificate is redeemed as I-REC or claimed as D-REC, once, never both (R-IREC-3)."""

    code = "certificate_already_used"


class RedemptionNotFound(NotFound):
    """No such redemption in the caller's organization."""

    code = "redemption_not_found"

    def __init__(self) -> None:
        super().__init__("No such I-REC redemption in your organization.")


class IrecCertificateNotFound(NotFound):
    """No certificate on its way to I-REC has this id (a D-REC, or not minted yet)."""

    code = "irec_certificate_not_found"

    def __init__(self) -> None:
        super().__init__("No certificate of an I-REC reservation, minted to the provisional account, has this id.")


class CertificateNotProvisional(Conflict):
    """Only a provisional (or rejected) certificate is released as D-REC: an issued or released one is done."""

    code = "certificate_not_provisional"


class CertificateEnergyRequested(Conflict):
    """Wh of the certificate wait at the registry (queued, requested, or approved with conflicting serials): they
    may become I-RECs, so the certificate is released only once the registry has decided."""

    code = "certificate_energy_requested"


class RedemptionNotRedeemed(Conflict):
    """The registry has not redeemed the certificate yet: its statement follows once it has."""

    code = "redemption_not_redeemed"
