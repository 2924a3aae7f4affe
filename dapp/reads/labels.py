"""What a read's status and reason code mean, in words a developer acts on; pages show these, the API the codes."""

STATUSES = {
    "accepted": "Accepted",
    "certified": "Certified",
    "baseline": "Starting point",
    "flagged": "Flagged for review",
    "dismissed": "Dismissed by the platform",
    "rejected": "Rejected",
}

REASONS = {
    "first_read": "the device's first read",
    "gap_exceeded": "the first read after a long silence; the gap's energy is not counted",
    "exceeds_clear_sky": "more than a clear sky gives at this place and hour; waits for a platform admin",
    "accepted_by_policy": "above the clear-sky estimate, accepted under the platform's policy",
    "exceeds_max_energy": "more than the device's capacity can produce in this time",
    "in_future": "ends in the future",
    "before_onboarding": "ends before the device was onboarded (send it as history)",
    "after_onboarding": "a history read must end before the device was onboarded",
    "before_commissioning": "starts before the device was commissioned",
    "not_after_previous": "does not end after the device's previous read",
    "overlaps_history": "overlaps history already stored",
    "decreasing_register": "the meter register went down",
    "type_locked": "of another read type than the device's earlier reads",
    "negative_value": "a negative value",
    "missing_start": "a history read without a start",
    "start_not_before_end": "starts after it ends",
    "too_old": "starts too long before onboarding",
    "needs_acknowledgement": "older than 12 months: confirm that you mean to send it",
    "bad_timestamp": "a time that could not be read",
    "device_not_found": "names no device of yours",
    "invalid_row": "a row that could not be read",
}


def status_label(status: str) -> str:
    return STATUSES.get(status, status.replace("_", " ").capitalize())


def reason_label(code: str) -> str:
    return REASONS.get(code, code.replace("_", " "))
