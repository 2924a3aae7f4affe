"""Query arguments → filter models, for the API and the pages alike (422 `invalid_filter` naming the fields)."""

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from dapp.errors import Invalid, InvalidFilter
from dapp.reservations.schemas import _Filters

Query = TypeVar("Query", bound=_Filters)


def parse_query(model: type[Query], args: MultiDict[str, str], ignore: Iterable[str] = ()) -> Query:
    """Lists may be repeated (`country=KEN&country=UGA`) or comma-separated; empty values mean 'any'."""
    data: dict[str, Any] = {}
    lists = model.list_fields()
    for name in set(args) - set(ignore):
        if name in lists:
            items = [item.strip() for value in args.getlist(name) for item in value.split(",") if item.strip()]
            if items:
                data[name] = items
        elif args.get(name, "").strip():
            data[name] = args[name].strip()
        elif name not in model.model_fields:
            data[name] = ""  # unknown: refused by extra="forbid", named in the error
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "query", "code": e["type"], "message": e["msg"]}
            for e in error.errors(include_url=False)
        ]
        raise invalid_filters(errors) from error


def invalid_filters(errors: list[dict[str, str]]) -> Invalid:
    """422 `invalid_filter`; the detail repeats each field's message, for pages that show only the detail."""
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return InvalidFilter(f"Some filters are not valid — {detail}", errors=errors)
