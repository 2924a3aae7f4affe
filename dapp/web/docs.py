"""The OpenAPI 3 document, generated from the typed API routes, and Swagger UI at /api/docs."""

import re
import sys
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template, send_file
from pydantic import BaseModel

from dapp.errors import PROBLEM_TYPE_BASE, DomainError
from dapp.web.api import Access, ApiBlueprint, ApiRoute, implied_errors, json_response
from dapp.web.boundary import LARGEST_ID

bp = Blueprint("docs", __name__)

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
VENDOR_FILES = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
}
REF_TEMPLATE = "#/components/schemas/{model}"
PATH_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
PATH_SCHEMAS = {
    "uuid": {"type": "string", "format": "uuid"},
    "int": {"type": "integer", "minimum": 0, "maximum": LARGEST_ID},
}


@bp.get("/static/vendor/<name>")
def vendor(name: str):
    """Front-end libraries installed from npm (package.json), served as they are."""
    if name not in VENDOR_FILES:
        abort(404)
    return send_file(NODE_MODULES / VENDOR_FILES[name], max_age=86_400)


@bp.get("/api/openapi.json")
def openapi_json():
    return json_response(openapi_document(registered_routes()))


@bp.get("/api/docs")
def swagger_ui():
    return render_template("docs/swagger.html")


def registered_routes() -> list[ApiRoute]:
    """The typed routes of every API blueprint registered in the current app, in registration order."""
    return [route for bp in current_app.blueprints.values() if isinstance(bp, ApiBlueprint) for route in bp.routes]


def openapi_document(routes: list[ApiRoute]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    blueprints = {bp.name: bp for bp in current_app.blueprints.values() if isinstance(bp, ApiBlueprint)}
    for route in routes:
        blueprint = blueprints[route.blueprint]
        path = (blueprint.url_prefix or "") + PATH_PARAMETER.sub(r"{\2}", route.path)
        paths.setdefault(path, {})[route.method.lower()] = {**_operation(route, schemas), "tags": [_tag(blueprint)]}
    return {
        "openapi": "3.1.0",
        "info": {"title": "D-REC registry API", "version": current_app.config.get("API_VERSION", "1")},
        "tags": sorted(
            ({"name": _tag(bp), "description": _feature(bp)} for bp in blueprints.values()), key=lambda tag: tag["name"]
        ),
        "paths": paths,
        "components": {
            "schemas": {**schemas, "Problem": PROBLEM_SCHEMA},
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


def _operation(route: ApiRoute, schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.endpoint,
        "summary": route.summary,
        "parameters": [*_path_parameters(route), *_query_parameters(route, schemas)],
        "responses": {str(route.status): _content(route.response, schemas, "Success"), **_problems(route)},
        "security": _security(route),
    }
    if route.module is not None and route.permission is not None:
        operation["x-permission"] = {"module": route.module.value, "permission": route.permission.name}
    if route.access in (Access.PLATFORM_ADMIN, Access.SELF_SERVICE):
        operation["x-access"] = route.access.value
    if route.body is not None:
        operation["requestBody"] = {"required": True, **_content(route.body, schemas, "")}
    if route.upload:
        operation["requestBody"] = _upload(route.upload)
    return operation


def _tag(blueprint: ApiBlueprint) -> str:
    """The feature a blueprint belongs to (`dapp.reads.api` → `reads`), the tag of its operations."""
    return blueprint.import_name.split(".")[1]


def _feature(blueprint: ApiBlueprint) -> str:
    """The first line of the feature package's docstring."""
    package = sys.modules[blueprint.import_name.rsplit(".", 1)[0]]
    return (package.__doc__ or "").strip().splitlines()[0] if package.__doc__ else ""


def _path_parameters(route: ApiRoute) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": PATH_SCHEMAS.get(converter, {"type": "string"})}
        for converter, name in PATH_PARAMETER.findall(route.path)
    ]


def _query_parameters(route: ApiRoute, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    """The route's query model, one parameter per field (by the name clients send), with its type and limits;
    a list is sent as the parameter repeated."""
    if route.query is None:
        return []
    schema = route.query.model_json_schema(ref_template=REF_TEMPLATE, by_alias=True)
    schemas.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    parameters = []
    for name, field in schema["properties"].items():
        field.pop("title", None)
        description = field.pop("description", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": field}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _upload(media_types: tuple[str, ...]) -> dict[str, Any]:
    """A file sent as the raw body in one of `media_types`, or as the multipart field `file`."""
    binary = {"type": "string", "format": "binary"}
    multipart = {"type": "object", "required": ["file"], "properties": {"file": binary}}
    return {
        "required": True,
        "content": {
            **{media_type: {"schema": binary} for media_type in media_types},
            "multipart/form-data": {"schema": multipart},
        },
    }


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Problem document (RFC 9457); `code` is stable and names the problem, other members add detail.",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string", "description": "What went wrong and what to do, for a person."},
        "errors": {
            "type": "array",
            "description": "The fields at fault (validation problems).",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def _problems(route: ApiRoute) -> dict[str, Any]:
    """One response per status the route may answer with, each listing its problem codes as examples."""
    by_status: dict[int, dict[str, type[DomainError]]] = {}
    for error in (*implied_errors(route), *route.errors):
        by_status.setdefault(error.status, {})[error.code] = error
    return {str(status): _problem_response(errors) for status, errors in sorted(by_status.items())}


def _problem_response(errors: dict[str, type[DomainError]]) -> dict[str, Any]:
    examples = {
        code: {
            "summary": (error.__doc__ or error.title).strip().splitlines()[0],
            "value": {"type": f"{PROBLEM_TYPE_BASE}{code}", "title": error.title, "status": error.status, "code": code},
        }
        for code, error in sorted(errors.items())
    }
    return {
        "description": ", ".join(sorted(errors)),
        "content": {
            "application/problem+json": {"schema": {"$ref": REF_TEMPLATE.format(model="Problem")}, "examples": examples}
        },
    }


def _security(route: ApiRoute) -> list[dict[str, list[str]]]:
    if route.access == Access.PUBLIC:
        return []
    if route.access in (Access.PLATFORM_ADMIN, Access.SELF_SERVICE):
        return [{"session": []}]  # a person signed in; API keys are refused
    return [{"apiKey": []}, {"session": []}]


def _content(model: type[BaseModel] | None, schemas: dict[str, Any], description: str) -> dict[str, Any]:
    if model is None:
        return {"description": description or "JSON"}
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model=model.__name__)}}},
    }
