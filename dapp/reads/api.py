"""JSON routes of meter reads: ingestion under /api/v1 and the D-REC compatibility route under /api."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, request
from pydantic import BaseModel, ValidationError

from dapp import platform
from dapp.access.permissions import Module, Permission
from dapp.devices.errors import DeviceNotFound
from dapp.errors import DomainError, Invalid
from dapp.reads import express
from dapp.reads.errors import (
    BatchRejected,
    ConcurrentReads,
    CountryYieldNotFound,
    DrecBadRequest,
    DrecDeviceInvalid,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    NotAnAggregateMeter,
    OrganizationMismatch,
    ReadNotFlagged,
    ReadNotFound,
    ReadsRejected,
)
from dapp.reads.schemas import (
    BatchOptions,
    CountryYieldRead,
    CountryYieldUpdate,
    DrecReadBatchCreate,
    DrecReadQuery,
    FlaggedReadRow,
    LedgerQuery,
    LedgerRead,
    MeterReplacementCreate,
    MeterReplacementRead,
    MultiDeviceBatchCreate,
    MultiDeviceBatchResult,
    ReadBatchCreate,
    ReadBatchResult,
    ReadPage,
    ReadQuery,
    ReadReviewCreate,
    ReplacementOptions,
)
from dapp.reads.service import drec_reads, idempotency, ingestion, ledger, listing, replacement, review, yields
from dapp.reads.validation import Policy
from dapp.web.api import AdminCall, ApiBlueprint, ExpressCall, MemberCall, PlainJson, json_response
from dapp.web.query import query_args

api = ApiBlueprint("reads_api", __name__)
compat_api = ApiBlueprint("reads_compat_api", __name__, url_prefix="/api")


def post_read_express(call: ExpressCall, external_id: str) -> PlainJson | None:
    """A single read without `Idempotency-Key` through the express lane (ADR 0058), when it can take it."""
    if request.headers.get("Idempotency-Key"):
        return None
    single = express.Request(call.api_key, call.now, call.body, call.permits)
    result = express.record_read(platform.current().db, single, external_id, _policy(call.now))
    return PlainJson(result) if result is not None else None


@api.member_route(
    "/devices/<external_id>/reads",
    "POST",
    Module.METER_READS,
    Permission.WRITE,
    body=ReadBatchCreate,
    query=BatchOptions,
    response=ReadBatchResult,
    express=post_read_express,
    errors=(BatchRejected, ConcurrentReads, DeviceNotFound, IdempotencyKeyInUse, IdempotencyKeyReused),
)
def post_reads(call: MemberCall[ReadBatchCreate], external_id: str) -> PlainJson:
    """Send 1 … 10,000 meter reads of one device; each read is accepted or rejected with a reason."""
    policy = _policy(call.now)
    return _idempotent(
        call,
        lambda: ingestion.record_batch(call.session, call.actor, external_id, call.body, policy, _options().atomic),
    )


@api.member_route(
    "/reads",
    "POST",
    Module.METER_READS,
    Permission.WRITE,
    body=MultiDeviceBatchCreate,
    query=BatchOptions,
    response=MultiDeviceBatchResult,
    errors=(BatchRejected, ConcurrentReads, DeviceNotFound, IdempotencyKeyInUse, IdempotencyKeyReused),
)
def post_multi_device_reads(call: MemberCall[MultiDeviceBatchCreate]) -> PlainJson:
    """Send reads of many devices at once (1 … 10,000 reads in all); per device and read, the outcome."""
    policy = _policy(call.now)

    def record() -> dict[str, Any]:
        devices = ingestion.record_batches(call.session, call.actor, call.body, policy, _options().atomic)
        return {
            "accepted": sum(d["accepted"] for d in devices),
            "flagged": sum(d["flagged"] for d in devices),
            "rejected": sum(d["rejected"] for d in devices),
            "devices": devices,
        }

    return _idempotent(call, record)


@compat_api.member_route(
    "/meter-reads/new/<externalId>",
    "POST",
    Module.METER_READS,
    Permission.WRITE,
    body=DrecReadBatchCreate,
    query=ReplacementOptions,
    response=ReadBatchResult,
    status=201,
    errors=(
        BatchRejected,
        ConcurrentReads,
        DeviceNotFound,
        DrecBadRequest,
        DrecDeviceInvalid,
        IdempotencyKeyInUse,
        IdempotencyKeyReused,
        OrganizationMismatch,
        ReadsRejected,
    ),
)
def post_drec_reads(call: MemberCall[DrecReadBatchCreate], externalId: str) -> PlainJson:  # noqa: N803 - the original platform's path name
    """The original D-REC platform's read endpoint: same body, all reads stored or none (409 with reasons)."""
    policy = _policy(call.now)
    return _idempotent(
        call, lambda: ingestion.record_drec_batch(call.session, call.actor, externalId, call.body, policy)
    )


@compat_api.member_route(
    "/meter-reads/new/<externalId>",
    "GET",
    Module.METER_READS,
    Permission.READ,
    query=DrecReadQuery,
    errors=(DeviceNotFound, DrecBadRequest, DrecDeviceInvalid),
)
def get_drec_reads(call: MemberCall[None], externalId: str) -> dict[str, Any]:  # noqa: N803 - the original's name
    """Read back a device's reads in the original D-REC platform's shape (`readType=meterReads`, `start`, `end`,
    `pagenumber`): history and ongoing reads, five of each per page, values in Wh."""
    query = parse_query(DrecReadQuery)
    return drec_reads.read_back(call.session, call.actor, externalId.strip(), query)


@compat_api.errorhandler(DomainError)
def drec_problem(error: DomainError) -> Response:
    """On the original's routes: its status codes (400 for a request it would not read, 409 for one it refused)
    and its `success` and `message` beside the problem document (ADR 0101)."""
    answer = error
    if error.status == Invalid.status:
        answer = DrecBadRequest(error.detail, cause=error.code, **error.extra)
    elif error.status == DeviceNotFound.status:
        answer = DrecDeviceInvalid(error.detail, cause=error.code, **error.extra)
    return json_response(
        {**answer.problem(), "success": False, "message": error.detail}, answer.status, "application/problem+json"
    )


@api.member_route(
    "/devices/<external_id>/meter-replacements",
    "POST",
    Module.METER_READS,
    Permission.WRITE,
    body=MeterReplacementCreate,
    query=ReplacementOptions,
    response=MeterReplacementRead,
    status=201,
    errors=(BatchRejected, ConcurrentReads, DeviceNotFound, NotAnAggregateMeter),
)
def post_meter_replacement(call: MemberCall[MeterReplacementCreate], external_id: str) -> MeterReplacementRead:
    """Record that an aggregate meter was replaced: the device's next read becomes a new baseline."""
    return replacement.replace_meter(call.session, call.actor, external_id, call.body, _policy(call.now))


@api.member_route(
    "/devices/<external_id>/reads",
    "GET",
    Module.METER_READS,
    Permission.READ,
    query=ReadQuery,
    response=ReadPage,
    errors=(DeviceNotFound, Invalid),
)
def list_reads(call: MemberCall[None], external_id: str) -> ReadPage:
    """A device's reads between two days (`from`, `to`, both mandatory), in UTC and the device's zone."""
    query = parse_query(ReadQuery)
    return listing.read_page(call.session, call.actor, external_id, query)


@api.member_route(
    "/devices/<external_id>/ledger",
    "GET",
    Module.METER_READS,
    Permission.READ,
    query=LedgerQuery,
    response=LedgerRead,
    errors=(DeviceNotFound, Invalid),
)
def get_ledger(call: MemberCall[None], external_id: str) -> LedgerRead:
    """Where a device's energy in [from, to) went: reported, certified, waiting (with reason), rejected.

    A rejected read whose timestamps could not be read counts in the period holding the instant it was received."""
    query = parse_query(LedgerQuery)
    return ledger.device_ledger(call.session, call.actor, external_id, query.start, query.end)


@api.member_route("/country-yields", "GET", Module.METER_READS, Permission.READ)
def list_country_yields(call: MemberCall[None]) -> list[dict[str, Any]]:
    """The platform's yield per country (kWh/kWp/year), used for devices without their own (R-READ-7)."""
    return [CountryYieldRead.model_validate(y).model_dump(mode="json") for y in yields.list_all(call.session)]


@api.admin_route("/admin/country-yields/<country_code>", "PUT", body=CountryYieldUpdate, response=CountryYieldRead)
def put_country_yield(call: AdminCall[CountryYieldUpdate], country_code: str) -> Any:
    """Set a country's yield (platform admins)."""
    return yields.set_yield(call.session, call.actor, country_code, call.body.yield_kwh_per_kwp, call.now)


@api.admin_route(
    "/admin/country-yields/<country_code>",
    "DELETE",
    errors=(CountryYieldNotFound, Invalid),
)
def delete_country_yield(call: AdminCall[None], country_code: str) -> dict[str, Any]:
    """Remove a country's yield: its devices fall back to the default (platform admins)."""
    yields.unset_yield(call.session, call.actor, country_code, call.now)
    return {"country_code": country_code.upper(), "removed": True}


@api.admin_route("/admin/flagged-reads", "GET")
def list_flagged_reads(call: AdminCall[None]) -> list[dict[str, Any]]:
    """Reads that failed the clear-sky check and wait for a decision, oldest first (platform admins)."""
    return [FlaggedReadRow.model_validate(row).model_dump(mode="json") for row in review.flagged(call.session)]


@api.admin_route(
    "/admin/flagged-reads/<int:read_id>/review",
    "POST",
    body=ReadReviewCreate,
    errors=(ReadNotFlagged, ReadNotFound),
)
def post_read_review(call: AdminCall[ReadReviewCreate], read_id: int) -> dict[str, Any]:
    """Accept a flagged read (it becomes certifiable) or dismiss it (counted as rejected) (platform admins)."""
    read = review.decide(call.session, call.actor, read_id, call.body, call.now)
    assert read.reviewed_at is not None  # a decision records when it was made
    return {"id": read.id, "status": read.status, "reviewed_at": read.reviewed_at.isoformat()}


def parse_query(model: type[BaseModel]) -> Any:
    """Query parameters through a pydantic model; errors are 422 problems naming the parameters."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "query", "code": e["type"], "message": e["msg"]}
            for e in error.errors(include_url=False)
        ]
        raise Invalid("Some query parameters need attention.", errors=errors) from error


def _policy(now: datetime) -> Policy:
    return ingestion.policy_from(platform.current().settings, now, _options().acknowledge_old)


def _options() -> BatchOptions:
    """The ingestion flags, read by the model the routes declare them with (their names are checked by the route;
    `acknowledge_old` alone on the routes that take no `atomic`)."""
    return query_args(BatchOptions)


def _idempotent(call: MemberCall[Any], record: Callable[[], dict[str, Any]]) -> PlainJson:
    """Run `record` once per `Idempotency-Key`: a retry gets the stored first answer."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        return PlainJson(record())
    fingerprint = idempotency.request_fingerprint(request.path, request.query_string, request.get_data(cache=True))
    stored = idempotency.replay(call.session, call.actor, key, fingerprint)
    if stored is not None:
        return PlainJson(stored.response)
    answer = PlainJson(record())
    idempotency.remember(call.session, call.actor, key, fingerprint, 200, answer.plain(), call.now)
    return answer
