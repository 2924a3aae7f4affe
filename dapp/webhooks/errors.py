"""Errors of webhooks, each a problem document with a stable code (STYLE.md: `<Subject><Problem>`)."""

from dapp.errors import Conflict, Invalid, NotFound


class WebhookNotFound(NotFound):
    """Your organization has no webhook endpoint with this id."""

    code = "webhook_not_found"


class WebhookDeliveryNotFound(NotFound):
    """This endpoint has no delivery with this id."""

    code = "webhook_delivery_not_found"


class WebhookDisabled(Conflict):
    """The endpoint is disabled: enable it before sending it events."""

    code = "webhook_disabled"


class WebhookUrlRefused(Invalid):
    """The URL cannot receive webhooks (not http(s), credentials in it, or a private or loopback address)."""

    code = "webhook_url_refused"
