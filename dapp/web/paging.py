"""Pagination arguments shared by list endpoints and pages."""

from collections.abc import Mapping

from dapp.errors import field_error

MAX_PAGE_SIZE = 200


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
    if not raw.isdigit() or int(raw) < 1:
        raise field_error(name, f"{name} must be a whole number of at least 1.")
    return int(raw)
