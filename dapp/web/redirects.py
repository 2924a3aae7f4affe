"""Where a page may send the browser after an action: only to a path of this site (ADR 0081)."""

from urllib.parse import urlsplit, urlunsplit

# What a browser removes from a URL before reading it (WHATWG URL standard): tabs and line breaks anywhere,
# C0 controls and spaces at either end. `/\t/evil.example` is `//evil.example` to a browser, so it is to us.
REMOVED_ANYWHERE = str.maketrans("", "", "\t\n\r")
STRIPPED_AT_ENDS = "".join(chr(code) for code in range(0x21))


def same_origin_path(target: str) -> str | None:
    """`target` as a path (with its query and fragment) on this site, or None when a browser could read it as
    another site's address: a scheme, a host, a protocol-relative `//host`, or a backslash that browsers take for
    a slash."""
    candidate = target.translate(REMOVED_ANYWHERE).strip(STRIPPED_AT_ENDS).replace("\\", "/")
    if not candidate.startswith("/") or candidate.startswith("//"):
        return None
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return None
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))
