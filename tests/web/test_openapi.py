"""The OpenAPI document is complete (issue 18, item 11; ADR 0083): every query parameter a route takes with its
type and limits (a parameter not declared is refused, so the document cannot miss one), upload bodies,
pagination, a tag per feature, the problems of each operation; a 405 says which methods are allowed."""

import re

import pytest
from flask import Flask

from dapp.app import api_routes

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
PLACEHOLDERS = {"uuid": "00000000-0000-0000-0000-000000000001", "int": "1"}


@pytest.fixture(scope="module")
def document(app: Flask) -> dict:
    return app.test_client().get("/api/openapi.json").json


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def _api_path(route) -> str:
    prefix = "/api" if route.blueprint == "reads_compat_api" else "/api/v1"
    return prefix + PARAMETER.sub(lambda m: PLACEHOLDERS.get(m.group(1) or "", "x"), route.path)


def test_every_route_refuses_a_query_parameter_it_does_not_declare(app: Flask) -> None:
    client = app.test_client()
    failures = []
    for route in api_routes():
        response = client.open(_api_path(route), method=route.method, query_string={"no_such_filter": "1"})
        problem = response.get_json(silent=True) or {}
        if (response.status_code, _code(route, problem)) != _refusal(route):
            failures.append(f"{route.method} {route.path}: {response.status_code} {problem.get('code')}")
        elif [e["field"] for e in problem["errors"]] != ["no_such_filter"]:
            failures.append(f"{route.method} {route.path}: does not name the parameter")
    assert not failures, "\n".join(failures)


def _refusal(route) -> tuple[int, str]:
    """422 `unknown_parameter`; on the D-REC compatibility routes, whose status codes follow the original platform
    (R-READ-2, ADR 0101), 400 `drec_bad_request` with `unknown_parameter` as its `cause`."""
    return (400, "unknown_parameter") if route.blueprint == "reads_compat_api" else (422, "unknown_parameter")


def _code(route, problem: dict) -> str | None:
    return problem.get("cause") if route.blueprint == "reads_compat_api" else problem.get("code")


def test_every_query_parameter_a_route_takes_is_documented_with_its_type(document: dict) -> None:
    for name, operation in _operations(document):
        for parameter in operation["parameters"]:
            schema = parameter["schema"]
            assert {"type", "anyOf", "$ref", "enum", "allOf"} & schema.keys(), (name, parameter["name"])
    reads = document["paths"]["/api/v1/devices/{external_id}/reads"]["get"]["parameters"]
    by_name = {p["name"]: p for p in reads}
    assert by_name["external_id"]["in"] == "path"
    assert (by_name["from"]["required"], by_name["from"]["schema"]["format"]) == (True, "date")
    assert by_name["size"]["schema"]["maximum"] == 1000
    catalogue = {p["name"]: p for p in document["paths"]["/api/v1/device-catalogue"]["get"]["parameters"]}
    assert catalogue["country"]["schema"]["type"] == "array"
    assert catalogue["capacity_min"]["required"] is False
    batch = {p["name"]: p["schema"] for p in document["paths"]["/api/v1/reads"]["post"]["parameters"]}
    assert batch["atomic"] == {"type": "boolean", "default": False}


def test_every_paginated_list_documents_page_and_size_with_their_limits(document: dict) -> None:
    lists = [
        (name, operation)
        for name, operation in _operations(document)
        if "total" in _response_schema(document, operation).get("properties", {})
    ]
    assert len(lists) >= 8
    for name, operation in lists:
        parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert parameters["page"]["minimum"] == 1, name
        assert parameters["size"]["maximum"] <= 1000, name


def _response_schema(document: dict, operation: dict) -> dict:
    success = next(r for status, r in operation["responses"].items() if status.startswith("2"))
    ref = success.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else {}


def test_path_parameters_have_their_converters_types(document: dict) -> None:
    certificate = document["paths"]["/api/v1/certificates/{certificate_id}"]["get"]["parameters"]
    assert certificate[0]["schema"] == {"type": "string", "format": "uuid"}


def test_uploads_document_their_media_types_and_the_multipart_field(document: dict) -> None:
    images = document["paths"]["/api/v1/projects/{project_id}/images"]["post"]["requestBody"]["content"]
    assert {"image/png", "image/jpeg", "image/gif", "image/webp", "multipart/form-data"} == set(images)
    assert images["image/png"]["schema"] == {"type": "string", "format": "binary"}
    assert images["multipart/form-data"]["schema"]["required"] == ["file"]
    csv = document["paths"]["/api/v1/device-uploads"]["post"]["requestBody"]["content"]
    assert set(csv) == {"text/csv", "multipart/form-data"}


def test_every_operation_has_the_tag_of_its_feature_and_every_tag_a_description(document: dict) -> None:
    tags = {tag["name"]: tag["description"] for tag in document["tags"]}
    assert {"accounts", "devices", "reads", "reservations", "issuance", "verify", "admin"} <= set(tags)
    assert all(tags.values())
    for name, operation in _operations(document):
        assert len(operation["tags"]) == 1, name
        assert operation["tags"][0] in tags, name
    assert document["paths"]["/api/meter-reads/new/{externalId}"]["post"]["tags"] == ["reads"]


def test_every_operation_lists_the_input_problems_every_route_may_answer(document: dict) -> None:
    for name, operation in _operations(document):
        codes = set(operation["responses"]["422"]["content"]["application/problem+json"]["examples"])
        assert {"control_character", "unknown_parameter"} <= codes, name


def test_a_405_names_the_allowed_methods(app: Flask) -> None:
    client = app.test_client()
    response = client.delete("/api/v1/registrations")
    assert response.status_code == 405
    assert response.json["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"POST", "OPTIONS"}
    page = client.delete("/login")
    assert page.status_code == 405
    assert "POST" in page.headers["Allow"]
