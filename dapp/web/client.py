"""Who is at the other end of a request: the client's address, also behind trusted reverse proxies."""

import ipaddress

from flask import Request


def client_address(request: Request, trusted_proxies: int) -> str:
    """The client's IP address: the connection's peer, or — behind `trusted_proxies` reverse proxies, each of
    which appends the address it was connected from to X-Forwarded-For — the entry the outermost trusted proxy
    wrote. Entries to its left are the client's to forge and are never read; with fewer entries than trusted
    proxies, or an entry that is no IP address, the peer is the answer (as werkzeug's ProxyFix does)."""
    peer = request.remote_addr or "unknown"
    if trusted_proxies <= 0:
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    if len(hops) < trusted_proxies:
        return peer
    try:
        return str(ipaddress.ip_address(hops[-trusted_proxies]))
    except ValueError:
        return peer
