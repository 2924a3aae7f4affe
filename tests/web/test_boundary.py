"""The input boundary (ADR 0080), as properties over the route registry: every route and every page refuses a
control character in a path parameter, a query parameter, a JSON string or a form field with a 422 naming the
field, and every body model declares the longest string and the range of every number it takes.

A route added tomorrow is covered without touching this file.
"""

import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.routing import Rule

from dapp.app import api_routes
from dapp.web.api import ApiRoute

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
PLACEHOLDERS = {"uuid": str(uuid.UUID(int=1)), "int": "1"}
NUL = "a\x00b"
CONTROLS = ["\x00", "\x01", "\x08", "\x1b", "\x7f"]


def _path(rule: str, nul_in: str | None = None) -> str:
    def fill(match: re.Match[str]) -> str:
        converter, name = match.groups()
        if name == nul_in:
            return quote(NUL)
        return PLACEHOLDERS.get(converter or "", "x")

    return PARAMETER.sub(fill, rule)


def _api_path(route: ApiRoute, nul_in: str | None = None) -> str:
    prefix = "/api" if route.blueprint == "reads_compat_api" else "/api/v1"
    return prefix + _path(route.path, nul_in)


def _refused_naming(response: Any, field: str, route: ApiRoute | None = None) -> bool:
    """A 422 `control_character` naming the field; on the D-REC compatibility routes, whose status codes follow the
    original platform (R-READ-2, ADR 0101), the same refusal is a 400 `drec_bad_request` with it as `cause`."""
    problem = response.get_json(silent=True)
    if route is not None and route.blueprint == "reads_compat_api":
        status, code = 400, (problem or {}).get("cause")
    else:
        status, code = 422, (problem or {}).get("code")
    if response.status_code != status:
        return False
    if problem is None:  # a page: the error page says it
        return field in response.get_data(as_text=True)
    return code == "control_character" and [e["field"] for e in problem["errors"]] == [field]


def _text_parameters(rule: str) -> list[str]:
    return [name for converter, name in PARAMETER.findall(rule) if converter in ("", "string", "path")]


def test_every_api_route_refuses_a_control_character_in_a_path_parameter(app: Flask) -> None:
    client = app.test_client()
    failures = [
        f"{route.method} {route.path} ({name}): {response.status_code}"
        for route in api_routes()
        for name in _text_parameters(route.path)
        if not _refused_naming(response := client.open(_api_path(route, name), method=route.method), name, route)
    ]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("control", CONTROLS)
def test_every_api_route_refuses_a_control_character_in_a_query_parameter(app: Flask, control: str) -> None:
    client = app.test_client()
    failures = [
        f"{route.method} {route.path}: {response.status_code}"
        for route in api_routes()
        if not _refused_naming(
            response := client.open(_api_path(route), method=route.method, query_string={"q": f"a{control}b"}),
            "q",
            route,
        )
    ]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"name": "a\\u0000b"}', "name"),
        ('{"reads": [{"end": "2026-06-01T00:00:00\\u0000Z", "value": 1}]}', "reads.0.end"),
        ('{"permissions": {"dev\\u001bices": ["READ"]}}', "permissions.dev\x1bices"),
        ('{"note": "a\\u007fb"}', "note"),
    ],
)
def test_every_api_route_with_a_body_refuses_a_control_character_in_a_json_string(
    app: Flask, body: str, field: str
) -> None:
    client = app.test_client()
    routes = [route for route in api_routes() if route.body is not None]
    failures = [
        f"{route.method} {route.path}: {response.status_code} {response.get_json(silent=True)}"
        for route in routes
        if not _refused_naming(
            response := client.open(_api_path(route), method=route.method, data=body, content_type="application/json"),
            field,
            route,
        )
    ]
    assert routes
    assert not failures, "\n".join(failures)


def test_tabs_and_line_breaks_pass_the_boundary_in_bodies_and_escaped_backslashes_are_text(app: Flask) -> None:
    client = app.test_client()
    for body in ('{"description": "line one\\nline two\\tend\\r\\n"}', '{"description": "C:\\\\u0000 is text"}'):
        response = client.post("/api/v1/registrations", data=body, content_type="application/json")
        assert response.status_code == 422
        assert response.json["code"] == "validation_failed"  # the schema's refusal, not the boundary's


def _page_rules(app: Flask) -> Iterator[Rule]:
    api = {route.blueprint for route in api_routes()}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in api and rule.endpoint != "static":
            yield rule


def test_every_page_refuses_a_control_character_in_a_query_or_form_field(app: Flask) -> None:
    client = app.test_client()
    failures = []
    for rule in _page_rules(app):
        path = _path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, query_string={"next": NUL})
            if not _refused_naming(response, "next"):
                failures.append(f"{method} {rule.rule} (query): {response.status_code}")
            if method == "POST":
                response = client.post(path, data={"organization_name": NUL})
                if not _refused_naming(response, "organization_name"):
                    failures.append(f"{method} {rule.rule} (form): {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_form_field_may_hold_line_breaks_but_no_other_control_character(app: Flask) -> None:
    client = app.test_client()
    assert client.post("/login", data={"email": "a@example.org\r\n", "password": "x"}).status_code != 422
    assert _refused_naming(client.post("/login", data={"password": "x\x0bx"}), "password")


def test_a_csv_body_with_a_control_character_is_refused_naming_its_line(app: Flask) -> None:
    csv = b"external_id,country_code\nOK-1,KEN\nBAD\x00,KEN\n"
    response = app.test_client().post("/api/v1/device-uploads", data=csv, content_type="text/csv")
    assert _refused_naming(response, "body (line 3)")


def _unbounded(schema: dict, defs: dict, path: str, seen: set[str]) -> Iterator[str]:
    """The fields of a JSON schema that take a string without a longest length or a number without a range."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _unbounded(defs[name], defs, path, seen | {name})
        return
    for branch in schema.get("anyOf", []):
        if not _decimal_as_text(branch, schema["anyOf"]):
            yield from _unbounded(branch, defs, path, seen)
    for name, item in _members(schema, path):
        yield from _unbounded(item, defs, name, seen)
    kind = schema.get("type")
    if kind == "string" and not ({"maxLength", "enum", "const", "format"} & schema.keys()):
        yield f"{path}: a string without maxLength"
    elif kind in ("integer", "number") and not (
        {"maximum", "exclusiveMaximum"} & schema.keys() and {"minimum", "exclusiveMinimum"} & schema.keys()
    ):
        yield f"{path}: a number without minimum and maximum"


def _members(schema: dict, path: str) -> Iterator[tuple[str, dict]]:
    """An object's properties and values, an array's items, with their paths."""
    for name, item in schema.get("properties", {}).items():
        yield f"{path}.{name}", item
    if isinstance(schema.get("additionalProperties"), dict):
        yield f"{path}.*", schema["additionalProperties"]
    if schema.get("type") == "array":
        yield f"{path}[]", schema.get("items", {})


def _decimal_as_text(branch: dict, branches: list[dict]) -> bool:
    """pydantic's JSON schema of a Decimal is a number or its text; the text is held to the number's range."""
    return branch == {"type": "string"} and any(
        b.get("type") == "number" and not list(_unbounded(b, {}, "", set())) for b in branches
    )


def test_every_body_and_query_declares_its_longest_strings_and_its_number_ranges() -> None:
    models = {model for route in api_routes() for model in (route.body, route.query) if model is not None}
    gaps = []
    for model in sorted(models, key=lambda m: m.__name__):
        schema = model.model_json_schema()
        gaps += [f"{model.__name__}{gap}" for gap in _unbounded(schema, schema.get("$defs", {}), "", set())]
    assert not gaps, "\n".join(gaps)


def test_a_multipart_part_whose_name_cannot_be_read_is_no_server_error(app: Flask) -> None:
    """Found by the fuzzing run: werkzeug gives a part without a readable name the name None."""
    body = (
        b"--b\r\nContent-Disposition: form-data\r\n\r\n{}\r\n"
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="f.csv"\r\n\r\nx\r\n--b--\r\n'
    )
    response = app.test_client().post(
        "/api/v1/device-uploads", data=body, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code < 500


def test_an_integer_path_parameter_beyond_the_largest_bigint_names_nothing(app: Flask) -> None:
    """Found by the fuzzing run: `/admin/chain-outbox/3887581831826174377984/retry` reached the database (500)."""
    client = app.test_client()
    routes = [route for route in api_routes() if "<int:" in route.path]
    assert routes
    for route in routes:
        path = PARAMETER.sub(
            lambda m: str(2**63) if m.group(1) == "int" else PLACEHOLDERS.get(m.group(1), "x"), route.path
        )
        assert client.open(f"/api/v1{path}", method=route.method).status_code == 404, route.path
