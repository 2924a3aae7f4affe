"""The OpenAPI 3 document, generated from the typed API routes, and Swagger UI at /api/docs."""

import re
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template, send_file
from pydantic import BaseModel

from dapp.web.api import ApiBlueprint, ApiRoute, json_response

bp = Blueprint("docs", __name__)

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
VENDOR_FILES = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
}
REF_TEMPLATE = "#/components/schemas/{model}"


@bp.get("/static/vendor/<name>")
def vendor(name: str):
    """Front-end libraries installed from npm (package.json), served as they are."""
    if name not in VENDOR_FILES:
        abort(404)
    return send_file(NODE_MODULES / VENDOR_FILES[name], max_age=86_400)


@bp.get("/api/openapi.json")
def openapi_json():
    from dapp.web.setup import api_routes

    return json_response(openapi_document(api_routes()))


@bp.get("/api/docs")
def swagger_ui():
    return render_template("docs/swagger.html")


def openapi_document(routes: list[ApiRoute]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    prefixes = {bp.name: bp.url_prefix for bp in current_app.blueprints.values() if isinstance(bp, ApiBlueprint)}
    for route in routes:
        path = prefixes.get(route.blueprint, "/api/v1") + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.path)
        paths.setdefault(path, {})[route.method.lower()] = _operation(route, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "D-REC registry API", "version": current_app.config.get("API_VERSION", "1")},
        "paths": paths,
        "components": {
            "schemas": schemas,
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
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"<(?:\w+:)?(\w+)>", route.path)
        ],
        "responses": {
            str(route.status): _content(route.response, schemas, "Success"),
            "default": {
                "description": "Problem document (RFC 9457)",
                "content": {"application/problem+json": {"schema": {"type": "object"}}},
            },
        },
        "security": _security(route),
    }
    if route.module is not None and route.permission is not None:
        operation["x-permission"] = {"module": route.module.value, "permission": route.permission.name}
    if route.platform_admin or route.self_service:
        operation["x-access"] = "platform_admin" if route.platform_admin else "self_service"
    if route.body is not None:
        operation["requestBody"] = {"required": True, **_content(route.body, schemas, "")}
    return operation


def _security(route: ApiRoute) -> list[dict[str, list[str]]]:
    if route.public:
        return []
    if route.platform_admin or route.self_service:
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
