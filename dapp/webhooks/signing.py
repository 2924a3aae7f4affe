"""Signatures of deliveries (R-API-2, docs/webhooks.md).

Each delivery carries `Drec-Signature: t=<unix seconds>,v1=<hex>`, where the hex is HMAC-SHA256 under the
endpoint's secret of `<t>.<raw body>`. A receiver recomputes it over the bytes it received, compares in constant
time, and refuses a `t` too far from its own clock (a replayed request keeps its old `t`, and changing `t` breaks
the signature). The body's `id` names the event, the same on every try and re-send, so a receiver can also drop
what it has already handled.
"""

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that tells what the secret is, not a secret
HEADER = "Drec-Signature"


def new_secret() -> str:
    """A fresh endpoint secret: 32 random bytes, URL-safe."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Drec-Signature` header's value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
