"""Pagination arguments shared by list endpoints and pages."""

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from dapp.errors import field_error

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000  # beyond it the offset would outgrow what the database takes; no list is that long


class PageQuery(BaseModel):
    """`page` and `size` of a paginated list (R-API-1); the answer says `page`, `size` and `total`."""

    model_config = ConfigDict(extra="forbid")

    page: int = Field(default=1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")


def page_args(args: Mapping[str, str], default_size: int = 50) -> tuple[int, int]:
    """`page` (from 1) and `size` (1 … 200) from query arguments, with clear errors."""
    page = _positive_int(args, "page", 1)
    size = _positive_int(args, "size", default_size)
    if size > MAX_PAGE_SIZE:
        raise field_error("size", f"size must be at most {MAX_PAGE_SIZE}.")
    return page, size


def _positive_int(args: Mapping[str, str], name: str, default: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 12 and 1 <= int(raw) <= MAX_PAGE):
        raise field_error(name, f"{name} must be a whole number from 1 to {MAX_PAGE:,}.")
    return int(raw)
