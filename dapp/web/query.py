"""Query-string parameters validated by pydantic models, with errors that name the parameter."""

import uuid
from typing import Any, TypeVar, get_origin
from urllib.parse import urlencode

from flask import request
from pydantic import BaseModel, ValidationError

from dapp.errors import Invalid, field_error

ModelT = TypeVar("ModelT", bound=BaseModel)


def field_errors(error: ValidationError, whole: str = "body") -> list[dict[str, str]]:
    """pydantic's errors as problem-document entries: field, code, message (`whole` names model-level errors)."""
    return [_entry(item, whole) for item in error.errors(include_url=False)]


def _entry(item: Any, whole: str) -> dict[str, str]:
    field = ".".join(str(part) for part in item["loc"]) or whole
    return {"field": field, "code": item["type"], "message": item["msg"]}


def with_query(path: str, **replace: object) -> str:
    """`path` with the current request's query string, every value of a repeated parameter kept (`sdg=SDG4&sdg=SDG7`),
    the parameters in `replace` set to theirs instead: links to another page of a filtered list, or to its export."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in replace]
    pairs += [(k, str(v)) for k, v in replace.items()]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def page_link(number: int) -> str:
    """The current page's URL (with its filters) for another page number."""
    return with_query(request.path, page=number)


def query_args(model: type[ModelT]) -> ModelT:
    """The request's query string validated by `model` (422 naming each bad parameter); a list field takes
    every value of its repeated parameter."""
    lists = {name for name, field in model.model_fields.items() if get_origin(field.annotation) is list}
    args = {name: request.args.getlist(name) if name in lists else value for name, value in request.args.items()}
    try:
        return model.model_validate(args)
    except ValidationError as error:
        raise Invalid("Some query parameters are not valid.", errors=field_errors(error)) from error


def uuid_arg(name: str, value: str) -> uuid.UUID:
    """A UUID query parameter; anything else is a 422 naming the parameter."""
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise field_error(name, f"{name} must be a UUID.") from error
