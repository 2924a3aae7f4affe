"""/api/v1 routes of in-app notifications."""

from dapp.access.permissions import Module, Permission
from dapp.errors import Invalid
from dapp.notify import service
from dapp.notify.schemas import MarkedRead, MarkRead, NotificationPage, NotificationQuery, NotificationRead
from dapp.web.api import ApiBlueprint, MemberCall
from dapp.web.query import query_args

api = ApiBlueprint("notify_api", __name__)


@api.member_route(
    "/notifications",
    "GET",
    Module.ORGANIZATION,
    Permission.READ,
    query=NotificationQuery,
    response=NotificationPage,
    errors=(Invalid,),
)
def list_notifications(call: MemberCall[None]) -> NotificationPage:
    """The organization's notifications, newest first (`unread=true` for unread ones only)."""
    query = query_args(NotificationQuery)
    page, size = query.page, query.size
    items, total = service.list_page(call.session, call.actor, page, size, query.unread)
    return NotificationPage(
        items=[NotificationRead.model_validate(n) for n in items],
        page=page,
        size=size,
        total=total,
        unread=service.unread_count(call.session, call.actor),
    )


@api.member_route(
    "/notifications/read", "POST", Module.ORGANIZATION, Permission.READ, body=MarkRead, response=MarkedRead
)
def mark_notifications_read(call: MemberCall[MarkRead]) -> MarkedRead:
    """Mark notifications as read (all unread ones when no ids are given)."""
    body: MarkRead = call.body
    return MarkedRead(marked=service.mark_read(call.session, call.actor, call.now, body.ids))
