"""Pages of notifications: the organization's list, and the unread count shown in the navigation."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dapp import platform
from dapp.access.permissions import Actor, Module, Permission
from dapp.notify import service
from dapp.web.pages import PageCall, page
from dapp.web.paging import page_args

bp = Blueprint("notify", __name__)


@bp.get("/notifications")
@page(Module.ORGANIZATION, Permission.READ)
def list_notifications(call: PageCall[Actor]) -> str:
    number, size = page_args(request.args)
    items, total = service.list_page(call.session, call.actor, number, size)
    return render_template("notify/list.html", notifications=items, total=total, page=number, size=size)


@bp.post("/notifications/read")
@page(Module.ORGANIZATION, Permission.READ)
def mark_notifications_read(call: PageCall[Actor]) -> Response:
    marked = service.mark_read(call.session, call.actor, platform.current().clock.now())
    flash(f"{marked} notification(s) marked as read.", "success")
    return redirect(url_for("notify.list_notifications"))


@bp.get("/notifications/unread")
@page(Module.ORGANIZATION, Permission.READ)
def unread_badge(call: PageCall[Actor]) -> str:
    """An htmx fragment: the unread count next to the navigation link."""
    return render_template("notify/_unread.html", unread=service.unread_count(call.session, call.actor))
