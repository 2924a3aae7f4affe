"""Webhook pages: the organization's endpoints (register, secret shown once), one endpoint's deliveries with
re-send, test event, enable/disable and removal."""

import uuid
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.access.permissions import Actor, Module, Permission
from dapp.models.webhooks import EVENT_KINDS
from dapp.web.pages import Failed, PageCall, attempt, page, parse_form
from dapp.web.paging import page_args
from dapp.webhooks.schemas import WebhookCreate, WebhookUpdate
from dapp.webhooks.service import deliveries, endpoints

bp = Blueprint("webhooks", __name__)


@bp.get("/webhooks")
@page(Module.ORGANIZATION, Permission.READ)
def list_webhooks(call: PageCall[Actor]) -> str:
    return _list_page(call, None, {})


def _list_page(call: PageCall[Actor], secret: str | None, errors: dict[str, str]) -> str:
    return render_template(
        "webhooks/list.html",
        endpoints=endpoints.list_endpoints(call.session, call.actor),
        kinds=EVENT_KINDS,
        secret=secret,
        errors=errors,
        values=request.form,
        can_manage=call.actor.can(Module.ORGANIZATION, Permission.UPDATE),
    )


@bp.post("/webhooks")
@page(Module.ORGANIZATION, Permission.UPDATE)
def create_webhook(call: PageCall[Actor]) -> str | tuple[str, int]:
    data = {
        "url": request.form.get("url", "").strip(),
        "description": request.form.get("description", "").strip(),
        "events": request.form.getlist("events"),
    }
    created = attempt(
        call.session,
        lambda: endpoints.create(
            call.session, call.actor, _now(), parse_form(WebhookCreate, data), platform.current().settings
        ),
    )
    if isinstance(created, Failed):
        return _list_page(call, None, created.field_errors), created.status
    return _list_page(call, created[1], {})


@bp.get("/webhooks/<uuid:endpoint_id>")
@page(Module.ORGANIZATION, Permission.READ)
def show_webhook(call: PageCall[Actor], endpoint_id: uuid.UUID) -> str:
    endpoint = endpoints.get(call.session, call.actor, endpoint_id)
    number, size = page_args(request.args, default_size=25)
    items, total = deliveries.list_page(call.session, call.actor, endpoint.id, number, size)
    return render_template(
        "webhooks/show.html",
        endpoint=endpoint,
        deliveries=items,
        page=number,
        size=size,
        total=total,
        can_manage=call.actor.can(Module.ORGANIZATION, Permission.UPDATE),
    )


@bp.post("/webhooks/<uuid:endpoint_id>/test")
@page(Module.ORGANIZATION, Permission.UPDATE)
def send_webhook_test(call: PageCall[Actor], endpoint_id: uuid.UUID) -> Response:
    sent = attempt(call.session, lambda: deliveries.send_test(call.session, call.actor, _now(), endpoint_id))
    if not isinstance(sent, Failed):
        flash(f"A test event is on its way (delivery {sent.id}); reload to see how the receiver answered.", "success")
    return redirect(url_for("webhooks.show_webhook", endpoint_id=endpoint_id))


@bp.post("/webhooks/<uuid:endpoint_id>/deliveries/<int:delivery_id>/resend")
@page(Module.ORGANIZATION, Permission.UPDATE)
def resend_webhook_delivery(call: PageCall[Actor], endpoint_id: uuid.UUID, delivery_id: int) -> Response:
    sent = attempt(call.session, lambda: deliveries.resend(call.session, call.actor, _now(), endpoint_id, delivery_id))
    if not isinstance(sent, Failed):
        flash(f"Delivery {delivery_id} is sent again as delivery {sent.id}.", "success")
    return redirect(url_for("webhooks.show_webhook", endpoint_id=endpoint_id))


@bp.post("/webhooks/<uuid:endpoint_id>/<any(enable, disable):action>")
@page(Module.ORGANIZATION, Permission.UPDATE)
def set_webhook_state(call: PageCall[Actor], endpoint_id: uuid.UUID, action: str) -> Response:
    change = WebhookUpdate(is_enabled=action == "enable")
    endpoint = endpoints.change(call.session, call.actor, _now(), endpoint_id, change, platform.current().settings)
    flash(f"{endpoint.url} is {'enabled' if endpoint.disabled_at is None else 'disabled'}.", "success")
    return redirect(url_for("webhooks.show_webhook", endpoint_id=endpoint_id))


@bp.post("/webhooks/<uuid:endpoint_id>/delete")
@page(Module.ORGANIZATION, Permission.UPDATE)
def delete_webhook(call: PageCall[Actor], endpoint_id: uuid.UUID) -> Response:
    endpoint = endpoints.remove(call.session, call.actor, _now(), endpoint_id)
    flash(f"The endpoint {endpoint.url} is removed.", "success")
    return redirect(url_for("webhooks.list_webhooks"))


def _now() -> datetime:
    return platform.current().clock.now()
