"""/api/v1/webhooks: an organization's endpoints, their delivery logs, re-sends and test events (R-API-2)."""

import uuid

from flask import request

from dapp import platform
from dapp.access.permissions import Module, Permission
from dapp.errors import Invalid
from dapp.web.api import ApiBlueprint, MemberCall
from dapp.web.paging import PageQuery, page_args
from dapp.webhooks.errors import WebhookDeliveryNotFound, WebhookDisabled, WebhookNotFound, WebhookUrlRefused
from dapp.webhooks.schemas import (
    DeliveryPage,
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from dapp.webhooks.service import deliveries, endpoints

api = ApiBlueprint("webhooks_api", __name__)
READ, MANAGE = Permission.READ, Permission.UPDATE


@api.member_route(
    "/webhooks",
    "POST",
    Module.ORGANIZATION,
    MANAGE,
    body=WebhookCreate,
    response=WebhookCreated,
    status=201,
    errors=(WebhookUrlRefused,),
)
def create_webhook(call: MemberCall[WebhookCreate]) -> WebhookCreated:
    """Register an endpoint for some kinds of events; its signing secret is in this response only."""
    endpoint, secret = endpoints.create(call.session, call.actor, call.now, call.body, platform.current().settings)
    call.session.flush()
    return WebhookCreated.model_validate({**WebhookRead.model_validate(endpoint).model_dump(), "secret": secret})


@api.member_route("/webhooks", "GET", Module.ORGANIZATION, READ)
def list_webhooks(call: MemberCall[None]) -> list[dict[str, object]]:
    """The organization's endpoints (never their secrets)."""
    found = endpoints.list_endpoints(call.session, call.actor)
    return [WebhookRead.model_validate(endpoint).model_dump(mode="json") for endpoint in found]


@api.member_route(
    "/webhooks/<uuid:endpoint_id>", "GET", Module.ORGANIZATION, READ, response=WebhookRead, errors=(WebhookNotFound,)
)
def get_webhook(call: MemberCall[None], endpoint_id: uuid.UUID) -> WebhookRead:
    """One endpoint: URL, events, and whether (and why) it is disabled."""
    return WebhookRead.model_validate(endpoints.get(call.session, call.actor, endpoint_id))


@api.member_route(
    "/webhooks/<uuid:endpoint_id>",
    "PATCH",
    Module.ORGANIZATION,
    MANAGE,
    body=WebhookUpdate,
    response=WebhookRead,
    errors=(WebhookNotFound, WebhookUrlRefused),
)
def change_webhook(call: MemberCall[WebhookUpdate], endpoint_id: uuid.UUID) -> WebhookRead:
    """Change the URL, events or description; `is_enabled` disables or enables it (waiting deliveries resume)."""
    settings = platform.current().settings
    return WebhookRead.model_validate(
        endpoints.change(call.session, call.actor, call.now, endpoint_id, call.body, settings)
    )


@api.member_route(
    "/webhooks/<uuid:endpoint_id>",
    "DELETE",
    Module.ORGANIZATION,
    MANAGE,
    response=WebhookRead,
    errors=(WebhookNotFound,),
)
def delete_webhook(call: MemberCall[None], endpoint_id: uuid.UUID) -> WebhookRead:
    """Remove an endpoint and its delivery log."""
    return WebhookRead.model_validate(endpoints.remove(call.session, call.actor, call.now, endpoint_id))


@api.member_route(
    "/webhooks/<uuid:endpoint_id>/deliveries",
    "GET",
    Module.ORGANIZATION,
    READ,
    query=PageQuery,
    response=DeliveryPage,
    errors=(Invalid, WebhookNotFound),
)
def list_webhook_deliveries(call: MemberCall[None], endpoint_id: uuid.UUID) -> DeliveryPage:
    """The endpoint's deliveries, newest first, each with every try's status and response time."""
    page, size = page_args(request.args)
    items, total = deliveries.list_page(call.session, call.actor, endpoint_id, page, size)
    return DeliveryPage(items=items, page=page, size=size, total=total)


@api.member_route(
    "/webhooks/<uuid:endpoint_id>/deliveries/<int:delivery_id>/resend",
    "POST",
    Module.ORGANIZATION,
    MANAGE,
    response=DeliveryRead,
    status=202,
    errors=(WebhookDeliveryNotFound, WebhookDisabled, WebhookNotFound),
)
def resend_webhook_delivery(call: MemberCall[None], endpoint_id: uuid.UUID, delivery_id: int) -> DeliveryRead:
    """Send a delivery's event again as a new delivery (same event id, fresh tries)."""
    return deliveries.resend(call.session, call.actor, call.now, endpoint_id, delivery_id)


@api.member_route(
    "/webhooks/<uuid:endpoint_id>/test",
    "POST",
    Module.ORGANIZATION,
    MANAGE,
    response=DeliveryRead,
    status=202,
    errors=(WebhookDisabled, WebhookNotFound),
)
def send_webhook_test(call: MemberCall[None], endpoint_id: uuid.UUID) -> DeliveryRead:
    """Send a `webhook.test` event to this endpoint only."""
    return deliveries.send_test(call.session, call.actor, call.now, endpoint_id)
