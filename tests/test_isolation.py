"""The isolation matrix (R-ACC-5, R-ACC-6): every API route, called by everyone who must be turned away.

The routes come from the app's route registry (`dapp.app.api_routes()`), so a route added tomorrow is
covered without touching this file. Each non-public route is called as
  (a) anonymous                                  → 401
  (b) a member of another organization           → 404 for routes with an object id in the path; for
                                                   collection reads, an answer without the owner's data
  (c) a member lacking the route's permission    → 403 naming module and permission
  (d) an API key lacking it                      → 403
  (e) for a route whose module the other organization type never holds (R-ACC-5: buyers hold no devices,
      bulk uploads or meter reads, developers no reservations): that type's admin and an API key of it whose
      stored grants name the module                → 403 naming module and permission
and after every call the content of every table is unchanged. Platform-admin routes answer 403 to (b), (c)
and (d); self-service routes (a person's own account) answer 403 to API keys and need no module permission.

Path parameters are real objects of the owner organization, made by the factories in PARAMETERS. A route
whose parameter has no factory yet fails the matrix with a message naming the factory to add; a new public
route fails until it is added to PUBLIC_ROUTES on purpose.
"""

import base64
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from pydantic import ValidationError
from sqlalchemy import select, text

from dapp import platform
from dapp.access.permissions import FULL, MODULES_OUTSIDE_TYPE, modules_of
from dapp.accounts.schemas import InvitationCreate
from dapp.accounts.service import invitations
from dapp.app import api_routes
from dapp.issuance.service import windows as issuance
from dapp.models import Base
from dapp.models.accounts import ApiKey, OrganizationType, User
from dapp.web.api import Access, ApiRoute
from tests.factories.accounts import Org, bearer, make_api_key, make_member, make_org, signed_in
from tests.factories.devices import make_device
from tests.factories.reservations import make_reservation
from tests.support.journeys import Member

PUBLIC_ROUTES = {
    "POST /registrations",
    "POST /email-confirmations",
    "POST /email-confirmation-requests",
    "POST /password-reset-requests",
    "POST /password-resets",
    "POST /invitation-acceptances",
    "POST /invitation-rejections",
    "GET /verify/certificates/<reference>",  # public verification for auditors (R-VER-1)
    "GET /verify/reservations/<reference>",  # public verification of reservations (R-VER-2)
    "GET /register/certificates",  # the public register (R-REG-1): no personal data
    "GET /register/totals",
    "GET /register/certificates/<token_id>",  # the registry's records, the standalone verifier's witness
    "GET /register/reservations/<reservation_id>",
}
# Routes that show other organizations' devices by design (R-ACC-6: the catalogue buyers browse); they may
# name devices and their developers, never anything else of another organization.
CROSS_ORGANIZATION_BY_DESIGN = re.compile(r"^/device-catalogue(/|$)")
CATALOGUE_MARKERS = {"device", "developer_name"}
T0 = datetime(2026, 6, 1, tzinfo=UTC)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
# Valid bodies (by body model), so that (b) reaches the handler's organization-scoped lookup.
SAMPLE_BODIES: dict[str, Callable[["World"], Any]] = {
    "PermissionsUpdate": lambda _world: {"permissions": {"devices": ["READ"]}},
    "ReadBatchCreate": lambda world: {"type": "delta", "unit": "Wh", "reads": [{"end": _iso(world), "value": 1}]},
    "DrecReadBatchCreate": lambda world: {
        "type": "Delta",
        "unit": "Wh",
        "reads": [{"endtimestamp": _iso(world), "value": 1}],
    },
    "MeterReplacementCreate": lambda world: {"replaced_at": _iso(world)},
    "ClaimCreate": lambda _world: {
        "volume_wh": 1,
        "beneficiary": "School",
        "location": "Nairobi",
        "country_code": "KEN",
        "consumption_start": "2026-06-01",
        "consumption_end": "2026-06-02",
        "purpose": "Isolation test",
    },
    "RedemptionCreate": lambda _world: {
        "beneficiary": "School",
        "location": "Nairobi",
        "country_code": "KEN",
        "consumption_start": "2026-06-01",
        "consumption_end": "2026-06-02",
    },
    "TransferCreate": lambda _world: {"volume_wh": 1, "to_address": "0x" + "b" * 40},
    "WalletChallengeCreate": lambda _world: {"address": "0x" + "c" * 40},
    "WalletBindingCreate": lambda _world: {"challenge_id": str(uuid.UUID(int=1)), "signature": "0x" + "d" * 130},
}
# Routes that take a raw (non-JSON) body: content type and bytes.
RAW_BODIES: dict[str, tuple[str, bytes]] = {"POST /projects/<uuid:project_id>/images": ("image/png", PNG)}
# Query strings that routes require before they look anything up.
SAMPLE_QUERIES: dict[str, str] = {
    "GET /devices/<external_id>/reads": "from=2026-06-01&to=2026-06-02",
    "GET /devices/<external_id>/ledger": "from=2026-06-01T00:00:00%2B00:00&to=2026-06-02T00:00:00%2B00:00",
    "GET /meter-reads/new/<externalId>": "readType=meterReads&start=2026-06-01T00:00:00Z&end=2026-06-02T00:00:00Z",
}
# the original D-REC platform's routes answer a device that is not the caller's as it did, with 409 'Invalid
# device id' (the same answer as for an unknown device, so nothing leaks; ADR 0101)
NOT_FOUND_STATUS = {"reads_compat_api": 409}
PLACEHOLDERS = {"uuid": str(uuid.UUID(int=1)), "int": "1"}
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _iso(world: "World") -> str:
    return world.now.isoformat()


@dataclass
class World:
    """Two developers and two buyers; the "A" ones own every object the routes are called on."""

    app: Flask
    developer: Org
    developer_b: Org
    buyer: Org
    buyer_b: Org
    now: datetime
    objects: dict[str, Any] = field(default_factory=dict)
    markers: dict[str, set[str]] = field(default_factory=dict)  # category → strings only the A side owns

    def once(self, name: str, make: Callable[[], Any]) -> Any:
        """An object made on first use (and remembered as a marker of the A side)."""
        if name not in self.objects:
            self.objects[name] = make()
            self.markers.setdefault(name, set()).add(str(self.objects[name]))
        return self.objects[name]


@dataclass
class Payload:
    json: Any = None
    data: bytes | None = None
    content_type: str | None = None

    def request(self) -> dict[str, Any]:
        if self.data is not None:
            return {"data": self.data, "content_type": self.content_type}
        return {"json": self.json}

    def __str__(self) -> str:
        return str(self.json)


PARAMETERS: dict[str, Callable[[World], tuple[str, str]]] = {
    # path parameter name → (value, owner: "developer" | "buyer"), made in the owner organization
    "external_id": lambda world: (world.objects["device"].external_id, "developer"),
    "externalId": lambda world: (world.objects["device"].external_id, "developer"),
    "device_id": lambda world: (str(world.objects["device"].id), "developer"),
    "reservation_id": lambda world: (str(world.objects["reservation"].id), "buyer"),
    "certificate_id": lambda world: (str(world.objects["certificate_id"]), "buyer"),
    "key_id": lambda world: (str(world.objects["api_key_id"]), "developer"),
    "invitation_id": lambda world: (str(world.objects["invitation_id"]), "developer"),
    "user_id": lambda world: (str(world.objects["member_id"]), "developer"),
    "organization_id": lambda world: (str(world.developer.actor.organization_id), "developer"),
    "project_id": lambda world: (world.once("project", lambda: _project(world)), "developer"),
    "upload_id": lambda world: (world.once("upload", lambda: _upload(world)), "developer"),
    "claim_id": lambda world: (world.once("claim", lambda: _claim(world)), "buyer"),
    "endpoint_id": lambda world: (world.once("endpoint", lambda: _webhook(world)), "developer"),
    "delivery_id": lambda world: (world.once("delivery", lambda: _webhook_delivery(world)), "developer"),
    "redemption_id": lambda world: (world.once("redemption", lambda: _redemption(world)), "buyer"),
}


@dataclass
class Callers:
    anonymous: Callable[[], Any]
    other_org: dict[str, Member]  # owner kind → admin of the other organization of that kind
    limited_member: dict[str, Member]  # owner kind → member of the owner organization
    limited_member_id: dict[str, uuid.UUID]
    limited_key: dict[str, str]
    full_key: dict[str, str]  # organization type → an API key of the B organization whose grants name every module


def _project(world: World) -> str:
    response = world.app.test_client().post(
        "/api/v1/projects", json={"name": "ISO-A-PROJECT"}, headers=world.developer.auth
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def _upload(world: World) -> str:
    csv = b"external_id,country_code,commissioning_date,capacity_kw,fuel_code,device_type_code\n"
    csv += b"ISO-A-CSV-1,KEN,2025-03-31,5,ES100,TC120\n"
    response = world.app.test_client().post(
        "/api/v1/device-uploads", data=csv, content_type="text/csv", headers=world.developer.auth
    )
    assert response.status_code == 202, response.json
    return response.json["id"]


def _webhook(world: World) -> str:
    response = world.app.test_client().post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.com/drec", "events": ["reservation.created"]},
        headers=world.developer.auth,
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def _webhook_delivery(world: World) -> str:
    endpoint_id = world.once("endpoint", lambda: _webhook(world))
    response = world.app.test_client().post(f"/api/v1/webhooks/{endpoint_id}/test", headers=world.developer.auth)
    assert response.status_code == 202, response.json
    return str(response.json["id"])


def _redemption(world: World) -> str:
    """A requested I-REC redemption of buyer A's certificate (written directly: redeeming needs an I-REC)."""
    from dapp.models.irec import IrecRedemption

    with platform.current().db.unit_of_work() as session:
        redemption = IrecRedemption(
            certificate_id=world.objects["certificate_id"],
            organization_id=world.buyer.actor.organization_id,
            beneficiary="School",
            location="Nairobi",
            country_code="KEN",
            consumption_start=T0.date(),
            consumption_end=T0.date(),
            status="requested",
            statements=[],
            created_at=world.now,
        )
        session.add(redemption)
        session.flush()
        return str(redemption.id)


def _claim(world: World) -> str:
    """A pending claim of buyer A's certificate (written directly: claiming needs a minted certificate)."""
    from dapp.models.issuance import Claim

    with platform.current().db.unit_of_work() as session:
        claim = Claim(
            certificate_id=world.objects["certificate_id"],
            organization_id=world.buyer.actor.organization_id,
            holder_address="0x" + "a" * 40,
            volume_wh=1,
            beneficiary="School",
            location="Nairobi",
            country_code="KEN",
            consumption_start=T0.date(),
            consumption_end=T0.date(),
            purpose="Isolation test",
            created_at=world.now,
        )
        session.add(claim)
        session.flush()
        return str(claim.id)


def test_every_api_route_served_is_in_the_registry(app) -> None:
    declared = {f"{route.blueprint}.{route.endpoint}" for route in api_routes()}
    served = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and not rule.endpoint.startswith("docs.")
    }
    assert served - declared == set(), "API routes without a declared access rule"


def test_public_routes_are_exactly_the_reviewed_ones(app) -> None:
    public = {f"{route.method} {route.path}" for route in api_routes() if route.access == Access.PUBLIC}
    unexpected = public - PUBLIC_ROUTES
    assert not unexpected, f"new public routes {sorted(unexpected)}: add them to PUBLIC_ROUTES only if meant"


def test_isolation_matrix(app, settings, record_property) -> None:
    world = _world(app)
    callers = _callers(app, world)
    failures: list[str] = []
    covered = [route for route in api_routes() if route.access != Access.PUBLIC]
    for route in covered:
        failures += _check_route(route, world, callers)
    record_property("isolation_routes_covered", len(covered))
    print(
        f"\nisolation matrix: {len(covered)} non-public API routes × (anonymous, other organization, "
        f"member without permission, API key without permission); {len(failures)} failure(s)"
    )
    assert not failures, f"{len(failures)} isolation failure(s) over {len(covered)} routes:\n" + "\n".join(failures)


def _world(app: Flask) -> World:
    """Objects of every kind the routes take ids of, owned by developer A and buyer A (a certificate included)."""
    p = platform.current()
    p.clock.set(T0)
    developer = make_org("Iso Developer A")
    buyer = make_org("Iso Buyer A", OrganizationType.BUYER)
    others = make_org("Iso Developer B"), make_org("Iso Buyer B", OrganizationType.BUYER)
    device = make_device(developer, "ISO-A-DEVICE-7F3")
    p.clock.set(T0 + timedelta(days=5))
    world = World(app, developer, others[0], buyer, others[1], p.clock.now())
    _send_reads(app, developer, device.external_id, [(T0 + timedelta(hours=1), 0), (T0 + timedelta(hours=5), 4_000)])
    reservation = make_reservation(buyer, [device], T0, T0 + timedelta(days=2), name="ISO-A-RES")
    with p.db.unit_of_work() as session:
        [certificate] = issuance.run_until(session, T0 + timedelta(days=2), p.clock.now())
        key_id = session.scalars(select(ApiKey.id).where(ApiKey.organization_id == developer.actor.organization_id))
        world.objects.update(
            device=device,
            reservation=reservation,
            certificate_id=certificate.id,
            member_id=make_member(developer, "iso.member.a@example.org", {"devices": ["READ"]}).user_id,
            invitation_id=_invite(developer, "iso.invitee.a@example.org"),
            api_key_id=key_id.first(),
        )
    world.markers = _markers(world)
    return world


def _send_reads(app: Flask, org: Org, external_id: str, reads: list[tuple[datetime, int]]) -> None:
    response = app.test_client().post(
        f"/api/v1/devices/{external_id}/reads",
        headers=org.auth,
        json={"type": "delta", "unit": "Wh", "reads": [{"end": end.isoformat(), "value": wh} for end, wh in reads]},
    )
    assert response.status_code == 200, response.json


def _invite(org: Org, email: str) -> uuid.UUID:
    p = platform.current()
    with p.db.unit_of_work() as session:
        invitation = invitations.invite(
            session, org.actor, p.clock.now(), InvitationCreate(first_name="In", last_name="Vitee", email=email)
        )
        return invitation.id


def _markers(world: World) -> dict[str, set[str]]:
    """Strings that belong to the A organizations only: finding one in B's answers is a leak."""
    p = platform.current()
    with p.db.unit_of_work() as session:
        owned = [world.developer.actor.organization_id, world.buyer.actor.organization_id]
        users = session.execute(
            text("SELECT id::text, email FROM user_account WHERE organization_id = ANY(:ids)"), {"ids": owned}
        ).all()
        orgs = session.execute(
            text("SELECT id::text, name, blockchain_address FROM organization WHERE id = ANY(:ids)"), {"ids": owned}
        ).all()
        prefixes = session.scalars(
            text("SELECT prefix FROM api_key WHERE organization_id = ANY(:ids)"), {"ids": owned}
        ).all()
    device, reservation = world.objects["device"], world.objects["reservation"]
    return {
        "device": {str(device.id), device.external_id},
        "developer_name": {"Iso Developer A"},
        "organization": {value for row in orgs for value in (row[0], row[2]) if value} | {"Iso Buyer A"},
        "people": {value for row in users for value in row} | {"iso.invitee.a@example.org"},
        "reservation": {str(reservation.id), reservation.name},
        "api_keys": set(prefixes),
        "invitation": {str(world.objects["invitation_id"])},
        "certificate": {str(world.objects["certificate_id"])},
    }


def _callers(app: Flask, world: World) -> Callers:
    limited = {"developer": world.developer, "buyer": world.buyer}
    members, member_ids, keys = {}, {}, {}
    for kind, org in limited.items():
        email = f"iso.limited.{kind}@example.org"
        actor = make_member(org, email, {module.value: ["READ"] for module in modules_of(kind)})
        members[kind], member_ids[kind] = signed_in(app, email), actor.user_id
        keys[kind] = make_api_key(org.actor, None, name=f"iso limited {kind}")
    others = {"developer": signed_in(app, world.developer_b.email), "buyer": signed_in(app, world.buyer_b.email)}
    full_keys = {"developer": world.developer_b.api_key, "buyer": world.buyer_b.api_key}
    with platform.current().db.unit_of_work() as session:
        for key in full_keys.values():
            session.execute(
                ApiKey.__table__.update().where(ApiKey.prefix == key.split("_")[1]).values(permissions=FULL)
            )
    return Callers(app.test_client, others, members, member_ids, keys, full_keys)


def _check_route(route: ApiRoute, world: World, callers: Callers) -> list[str]:
    name = f"{route.method} {route.path}"
    path, owner, missing = _path(route, world)
    failures = [f"{name}: {message}" for message in missing]
    payload, payload_missing = _payload(route, world)
    if payload_missing and "<" in route.path and route.module is not None:
        failures.append(f"{name}: {payload_missing}")
    _grant_all_but(route, callers, owner)
    before = _table_digest()
    for label, response in _calls(route, path, owner, payload, callers):
        expected = _expected(route, label, "<" in route.path)
        if expected and response.status_code != expected:
            failures.append(f"{name} as {label}: {response.status_code} (expected {expected}) {_brief(response)}")
        sent = f"{path} {payload}"
        failures += [f"{name} as {label}: {problem}" for problem in _leaks(route, label, response, world, sent)]
        failures += [f"{name} as {label}: {problem}" for problem in _problem_shape(route, label, response)]
        if _table_digest() != before:
            failures.append(f"{name} as {label}: the database changed")
            before = _table_digest()
    return failures


def _path(route: ApiRoute, world: World) -> tuple[str, str, list[str]]:
    """The route's URL with real object ids, the owner kind, and the factories missing for it."""
    owner, missing = "developer", []

    def value(match: re.Match[str]) -> str:
        nonlocal owner
        converter, parameter = match.group(1), match.group(2)
        if parameter in PARAMETERS:
            real, owner = PARAMETERS[parameter](world)
            return real
        if route.module is not None:
            missing.append(
                f"no factory for path parameter '{parameter}': add one to PARAMETERS in tests/test_isolation.py "
                "that creates the object in the owner organization"
            )
        return PLACEHOLDERS.get(converter or "", "KEN")

    prefix = world.app.blueprints[route.blueprint].url_prefix or ""
    query = SAMPLE_QUERIES.get(f"{route.method} {route.path}")
    return prefix + PARAMETER.sub(value, route.path) + (f"?{query}" if query else ""), owner, missing


def _payload(route: ApiRoute, world: World) -> tuple[Payload, str | None]:
    """A valid body for the route (so the handler runs), and what to add when none is known."""
    raw = RAW_BODIES.get(f"{route.method} {route.path}")
    if raw is not None:
        return Payload(data=raw[1], content_type=raw[0]), None
    if route.body is None:
        return Payload(), None
    sample = SAMPLE_BODIES.get(route.body.__name__)
    if sample is not None:
        return Payload(json=sample(world)), None
    try:
        route.body.model_validate({})
    except ValidationError:
        missing = (
            f"no sample body for {route.body.__name__}: add a valid one to SAMPLE_BODIES in tests/test_isolation.py"
        )
        return Payload(json={}), missing
    return Payload(json={}), None


def _grant_all_but(route: ApiRoute, callers: Callers, owner: str) -> None:
    """The owner organization's limited member and key hold everything except what the route needs."""
    permissions = dict(FULL)
    if route.module is not None and route.permission is not None:
        permissions[route.module.value] &= ~int(route.permission)
    with platform.current().db.unit_of_work() as session:
        for kind in ("developer", "buyer"):
            session.get_one(User, callers.limited_member_id[kind]).permissions = permissions
            prefix = callers.limited_key[kind].split("_")[1]
            session.execute(ApiKey.__table__.update().where(ApiKey.prefix == prefix).values(permissions=permissions))


def _calls(route: ApiRoute, path: str, owner: str, payload: Payload, callers: Callers) -> Iterator[tuple[str, Any]]:
    """(who, response) for each caller that must be turned away (or, for collections, shown nothing foreign)."""
    method, has_id = route.method, "<" in route.path
    yield "anonymous", callers.anonymous().open(path, method=method, **payload.request())
    if has_id or method == "GET":
        for kind in (owner,) if has_id else ("developer", "buyer"):
            yield f"other organization ({kind})", _as_member(callers.other_org[kind], method, path, payload)
    if route.access != Access.SELF_SERVICE:
        yield "member without permission", _as_member(callers.limited_member[owner], method, path, payload)
    key = bearer(callers.limited_key[owner])
    yield "API key without permission", callers.anonymous().open(path, method=method, headers=key, **payload.request())
    for kind in (kind for kind, outside in MODULES_OUTSIDE_TYPE.items() if route.module in outside):
        yield f"{kind} admin, type never holds it", _as_member(callers.other_org[kind], method, path, payload)
        key = bearer(callers.full_key[kind])
        yield (
            f"{kind} API key, type never holds it",
            callers.anonymous().open(path, method=method, headers=key, **payload.request()),
        )


def _as_member(member: Member, method: str, path: str, payload: Payload) -> Any:
    return member.client.open(path, method=method, headers={"X-CSRFToken": member.csrf}, **payload.request())


def _expected(route: ApiRoute, label: str, has_id: bool) -> int | None:
    if label == "anonymous":
        return 401
    if label.startswith("other organization"):
        if route.access == Access.PLATFORM_ADMIN:
            return 403
        return NOT_FOUND_STATUS.get(route.blueprint, 404) if has_id else None  # collections: checked for leaks
    return 403


def _leaks(route: ApiRoute, label: str, response: Any, world: World, sent: str) -> list[str]:
    """The owner's strings in another organization's answer (an echo of what the caller sent does not count)."""
    if not label.startswith("other organization"):
        return []
    allowed = CATALOGUE_MARKERS if CROSS_ORGANIZATION_BY_DESIGN.match(route.path) else set()
    answer = response.get_data(as_text=True)
    return [
        f"answer shows the owner's {category} '{marker}'"
        for category, markers in world.markers.items()
        if category not in allowed
        for marker in markers
        if marker and marker in answer and marker not in sent
    ]


def _problem_shape(route: ApiRoute, label: str, response: Any) -> list[str]:
    """A missing permission names its module and permission (R-ACC-5)."""
    named = label == "member without permission" or label.endswith("type never holds it")
    if not named or route.module is None or response.status_code != 403:
        return []
    problem = response.get_json(silent=True) or {}
    wanted = {"code": "permission_missing", "module": route.module.value}
    got = {key: problem.get(key) for key in wanted}
    return [] if got == wanted else [f"403 problem {got} should be {wanted}"]


def _brief(response: Any) -> str:
    return response.get_data(as_text=True)[:200]


def _table_digest() -> dict[str, str]:
    """A fingerprint of every table's content (row order independent)."""
    tables = [table.name for table in Base.metadata.sorted_tables]
    columns = ", ".join(
        f"(SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \"{name}\" t) AS \"{name}\""  # noqa: S608 - table names come from the models
        for name in tables
    )
    with platform.current().db.engine.connect() as connection:
        row = connection.execute(text(f"SELECT {columns}")).mappings().one()
    return dict(row)
