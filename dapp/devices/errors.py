"""Errors of devices, each a problem document with a stable code (STYLE.md: `<Subject><Problem>`)."""

from dapp.errors import Conflict, DomainError, Invalid, NotFound


class DeviceHasCertifiedEnergy(Conflict):
    """The device has certified energy: it stays in the registry as a legal record."""

    code = "device_has_certified_energy"


class DeviceInReservation(Conflict):
    """The device is or was in a buyer's reservation, whose record names it."""

    code = "device_in_reservation"


class DeviceInUse(Conflict):
    """The device is still referenced by other records."""

    code = "device_in_use"


class DeviceNotFound(NotFound):
    """The organization has no device with this id."""

    code = "device_not_found"


class ExternalIdTaken(Conflict):
    """The organization already has a device with this external id."""

    code = "external_id_taken"


class FileMissing(DomainError):
    """The request has no file (multipart field 'file', or the body)."""

    code = "file_missing"


class ImageNotFound(NotFound):
    """The project has no image with this id."""

    code = "image_not_found"


class ImageTooLarge(Invalid):
    """An image may have at most 5 MB."""

    code = "image_too_large"


class NotAnImage(Invalid):
    """Only PNG, JPEG, GIF and WebP images are accepted."""

    code = "not_an_image"


class ProjectNameTaken(Conflict):
    """The organization already has a project with this name."""

    code = "project_name_taken"


class ProjectNotFound(NotFound):
    """The organization has no project with this id."""

    code = "project_not_found"


class TooManyImages(Conflict):
    """The project has as many images as it may have."""

    code = "too_many_images"


class UploadNotFound(NotFound):
    """The organization has no bulk upload with this job id."""

    code = "upload_not_found"


# A device's field rules (dapp.devices.rules): a refusal that breaks one rule carries that rule's code; one that
# breaks several is `validation_failed` with every field in `errors`.
class UnknownValue(Invalid):
    """A field's value is not one of its code list's values; the message lists them."""

    code = "unknown_value"


class UnknownCountry(Invalid):
    """The country code is not an ISO 3166-1 alpha-3 code."""

    code = "unknown_country"


class CoordinatesIncomplete(Invalid):
    """Latitude and longitude come together or not at all."""

    code = "coordinates_incomplete"


class CommissioningInFuture(Invalid):
    """The commissioning date is after the day the device is registered."""

    code = "commissioning_in_future"


class StorageCapacityWithoutStorage(Invalid):
    """A storage capacity is given for a device without energy storage."""

    code = "storage_capacity_without_storage"


class LockedAfterCertification(Invalid):
    """The field cannot change once the device has certified energy."""

    code = "locked_after_certification"


class CommissioningAfterReads(Invalid):
    """The commissioning date would fall after the device's first history read."""

    code = "commissioning_after_reads"


class TimezoneRequired(Invalid):
    """The country has several time zones and no coordinates were given: choose one."""

    code = "timezone_required"


class TimezoneNotInCountry(Invalid):
    """The chosen time zone is not one of the country's."""

    code = "timezone_not_in_country"


class FieldRequired(Invalid):
    """A required field is missing or would be cleared."""

    code = "required"


class UnknownProject(Invalid):
    """The device names a project the organization does not have."""

    code = "project_not_found"


FIELD_RULES: tuple[type[Invalid], ...] = (
    UnknownValue,
    UnknownCountry,
    CoordinatesIncomplete,
    CommissioningInFuture,
    CommissioningAfterReads,
    TimezoneRequired,
    TimezoneNotInCountry,
    StorageCapacityWithoutStorage,
    LockedAfterCertification,
    FieldRequired,
    UnknownProject,
)


# A bulk-upload file refused as a whole (dapp.devices.bulk.csvfile).
class UploadTooLarge(Invalid):
    """The file is larger than 10 MB."""

    code = "file_too_large"


class UploadEmpty(Invalid):
    """The file is empty."""

    code = "empty_file"


class UploadWithoutRows(Invalid):
    """The file has a header row but no device rows."""

    code = "no_rows"


class UploadTooManyRows(Invalid):
    """The file has more device rows than one upload may carry."""

    code = "too_many_rows"


class UploadNotUtf8(Invalid):
    """The file is not UTF-8 text."""

    code = "not_utf8"


class UploadNotCsv(Invalid):
    """The file is binary data or not valid CSV."""

    code = "not_csv"


class UploadUnknownColumns(Invalid):
    """The header has columns the template does not know."""

    code = "unknown_columns"


class UploadDuplicateColumns(Invalid):
    """A column appears more than once in the header."""

    code = "duplicate_columns"


class UploadMissingColumns(Invalid):
    """The header lacks required columns."""

    code = "missing_columns"


UPLOAD_REFUSALS: tuple[type[Invalid], ...] = (
    UploadTooLarge,
    UploadEmpty,
    UploadWithoutRows,
    UploadTooManyRows,
    UploadNotUtf8,
    UploadNotCsv,
    UploadUnknownColumns,
    UploadDuplicateColumns,
    UploadMissingColumns,
)
