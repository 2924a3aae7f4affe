"""Query-string parameters validated by pydantic models, with errors that name the parameter."""

from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from dapp.errors import Invalid

ModelT = TypeVar("ModelT", bound=BaseModel)


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    """pydantic's errors as problem-document entries: field, code, message."""
    return [_entry(item) for item in error.errors(include_url=False)]


def _entry(item: Any) -> dict[str, str]:
    field = ".".join(str(part) for part in item["loc"]) or "body"
    return {"field": field, "code": item["type"], "message": item["msg"]}


def query_args(model: type[ModelT]) -> ModelT:
    """The request's query string validated by `model` (422 naming each bad parameter)."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise Invalid("Some query parameters are not valid.", errors=field_errors(error)) from error
