"""Where a webhook may go (SSRF, ADR 0095): http or https URLs whose host resolves only to public addresses.

A receiver on a loopback, private, link-local or otherwise non-global address could be one of the platform's
own services (Redis, the database, a cloud metadata endpoint), so it is refused unless the setting
`webhooks_allow_private_addresses` allows it (development and tests). The check is made when the endpoint is
registered (a literal address) and again before every try, on the addresses the host resolves to then; the try
connects to the address that was checked, so a name that resolves elsewhere a moment later gains nothing.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from dapp.webhooks.errors import WebhookUrlRefused

SCHEMES = {"http": 80, "https": 443}
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """A URL taken apart: where to connect and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str  # with its query

    @property
    def host_header(self) -> str:
        default = SCHEMES[self.scheme] == self.port
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if default else f"{host}:{self.port}"


def parse(url: str) -> Target:
    """The URL's parts, or a refusal that says what is wrong with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise WebhookUrlRefused(f"The URL cannot be read: {error}.") from error
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise WebhookUrlRefused("The URL must start with http:// or https:// and name a host.")
    if parts.username or parts.password:
        raise WebhookUrlRefused("The URL must not contain a user name or password; verify our signature instead.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port or SCHEMES[parts.scheme], path)


def check_registrable(url: str, allow_private: bool) -> str:
    """A URL an endpoint may be registered with (its host is resolved at each try, not now)."""
    target = parse(url)
    if not allow_private and target.host.lower() in {"localhost", "localhost.localdomain"}:
        raise WebhookUrlRefused("The URL names this machine (localhost); webhooks go to public addresses only.")
    literal = _literal(target.host)
    if literal is not None:
        _require_public(literal, allow_private)
    return url


def resolve(target: Target, allow_private: bool) -> str:
    """The address to connect to: the first the host resolves to, once every one of them is allowed."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise WebhookUrlRefused(f"The host {target.host} could not be resolved: {error}.") from error
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        _require_public(address, allow_private)
    return str(addresses[0])


def _literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _require_public(address: IpAddress, allow_private: bool) -> None:
    if allow_private or address.is_global:
        return
    raise WebhookUrlRefused(
        f"The URL leads to {address}, a loopback, private or reserved address; webhooks go to public addresses only."
    )
