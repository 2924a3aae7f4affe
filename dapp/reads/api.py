"""/api/v1 routes of meter reads."""

from flask import request

from dapp import platform
from dapp.accounts.permissions import Module, Permission
from dapp.reads import service
from dapp.reads.schemas import ReadBatchCreate, ReadBatchResult
from dapp.web.api import ApiBlueprint, Call

api = ApiBlueprint("reads_api", __name__)


@api.endpoint_route(
    "/devices/<external_id>/reads",
    "POST",
    module=Module.METER_READS,
    permission=Permission.WRITE,
    body=ReadBatchCreate,
    response=ReadBatchResult,
)
def post_reads(call: Call, external_id: str) -> dict:
    """Send 1 … 10,000 meter reads of one device; each read is accepted or rejected with a reason."""
    p = platform.current()
    now = p.clock.now()
    key = request.headers.get("Idempotency-Key")
    fingerprint = service.request_fingerprint(external_id, request.query_string, request.get_data(cache=True))
    if key and (stored := service.replay(call.session, call.actor, key, fingerprint)):
        return stored.response
    atomic = _flag("atomic")
    result = service.record_batch(
        call.session,
        call.actor,
        external_id,
        call.body,
        service.policy_from(p.settings, now, _flag("acknowledge_old")),
        atomic,
    )
    payload = result.model_dump(mode="json")
    if key:
        service.remember(call.session, call.actor, key, fingerprint, 200, payload, now)
    return payload


def _flag(name: str) -> bool:
    return request.args.get(name, "false").lower() == "true"
