"""The input boundary: text a client sends is refused, with a 422 naming the field, when it holds characters no
text of the registry can hold (ADR 0080).

Control characters (U+0000 … U+001F and U+007F) never belong in a path segment or a query parameter. Bodies
and form fields may hold tabs and line breaks (descriptions, addresses, CSV files); every other control
character is refused there too. PostgreSQL cannot store U+0000 at all, so before this boundary a NUL anywhere
was a server error. Lengths and number ranges are the schemas' part of the boundary: every string a body or
query model takes declares its longest value, every number its range (checked over the route registry by
`tests/web/test_boundary.py`).

The checks run before authentication: they say nothing about a route's rules, only about text in general.
"""

import re
from collections.abc import Iterator
from typing import Any

import orjson
from flask import Flask, request
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema
from werkzeug.routing import IntegerConverter, Map

from dapp.errors import ControlCharacter

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, line feed and carriage return allowed
ESCAPED_CONTROL_IN_JSON = re.compile(rb"(?<!\\)(?:\\\\)*\\u00(?:[01][0-9a-fA-F]|7[fF])")
TEXT_BODIES = ("text/", "application/csv")
LINE = r"^[^\r\n]*$"
LARGEST_ID = 2**63 - 1  # the largest BIGINT, where integer ids are stored


class DatabaseId(IntegerConverter):
    """`<int:…>` path parameters: whole numbers up to the largest BIGINT; a larger one names nothing (404) instead
    of reaching the database, which cannot compare it."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int = 0, max: int = LARGEST_ID) -> None:
        super().__init__(url_map, fixed_digits, min, max)


class OneLine:
    """Marks a string field (`Annotated[str, StringConstraints(...), ONE_LINE]`) as text on one line: a name goes
    into email subjects and headers, CSV rows and PDF titles, where a line break would start something else.
    Declared in the JSON schema as a pattern, refused with a message a person can act on."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(_on_one_line, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {**handler(schema), "pattern": LINE}


ONE_LINE = OneLine()


def _on_one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must fit on one line (no line breaks)")
    return value


def init_app(app: Flask) -> None:
    """Refuse control characters in every request's path, query and form before anything else reads them, and
    hold integer path parameters to what the database stores (before any route is registered)."""
    app.url_map.converters["int"] = DatabaseId
    app.before_request(_check_request)


def _check_request() -> None:
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            _refuse(name, value, CONTROL)
    for name, value in request.args.items(multi=True):
        _refuse(name, name + value, CONTROL)
    for name, value in request.form.items(multi=True):
        field = name or ""  # a multipart part whose name could not be read has none
        _refuse(field or "form", field, CONTROL)
        _refuse(field or "form", value, CONTROL_IN_TEXT)
    if request.mimetype.startswith(TEXT_BODIES):
        check_text_body(request.get_data(cache=True))


def check_json_body(raw: bytes) -> None:
    """A JSON body whose strings (keys or values) hold an escaped control character other than a tab or a line
    break is refused, naming the first such field. Unescaped ones are not JSON at all (the parser refuses them).
    One substring scan decides for nearly every body; only a suspect one is parsed."""
    if b"\\u00" not in raw:
        return
    if not ESCAPED_CONTROL_IN_JSON.search(raw):
        return
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return  # the body parser says what is wrong with it
    for field, text in _strings(document, ()):
        _refuse(field or "body", text, CONTROL_IN_TEXT)


def check_text_body(raw: bytes) -> None:
    """A text body (a CSV file) with a control character other than a tab or a line break is refused, naming
    its line. A body that is not UTF-8 is left to the route, which says so."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    match = CONTROL_IN_TEXT.search(text)
    if match is not None:
        line = text.count("\n", 0, match.start()) + 1
        _refuse(f"body (line {line})", match.group(), CONTROL_IN_TEXT)


def _strings(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield ".".join(path), value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield ".".join((*path, key)), key
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, str(index)))


def _refuse(field: str, text: str, pattern: re.Pattern[str]) -> None:
    match = pattern.search(text)
    if match is None:
        return
    message = f"{field} holds the control character U+{ord(match.group()):04X}, which no text here can hold."
    raise ControlCharacter(
        f"{message} Remove it and send the request again.",
        errors=[{"field": field, "code": "control_character", "message": message}],
    )
