"""One HTTP try of a delivery: POST the signed body to the checked address, wait at most the timeout, follow no
redirect, and say what happened (status, milliseconds, or why there was no answer)."""

import ssl
import time
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import HTTPError

from dapp.webhooks import addresses
from dapp.webhooks.errors import WebhookUrlRefused

USER_AGENT = "D-REC-Webhooks/1"
MAX_ERROR = 500


@dataclass(frozen=True)
class Answer:
    status_code: int | None  # None: no answer (refused address, unreachable, timed out)
    response_ms: int
    error: str | None  # None: the receiver accepted it (2xx)

    @property
    def ok(self) -> bool:
        return self.error is None


def post(url: str, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool) -> Answer:
    """Send `body` to `url` once."""
    started = time.monotonic()
    try:
        target = addresses.parse(url)
        address = addresses.resolve(target, allow_private)
        response = _pool(target, address, timeout).urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header, "User-Agent": USER_AGENT},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        response.drain_conn()
        response.release_conn()
    except WebhookUrlRefused as refused:
        return Answer(None, _ms(started), refused.detail[:MAX_ERROR])
    except HTTPError as error:
        return Answer(None, _ms(started), _describe(error)[:MAX_ERROR])
    return Answer(response.status, _ms(started), _judge(response.status, response.headers.get("Location")))


def _pool(target: addresses.Target, address: str, timeout: float) -> urllib3.HTTPConnectionPool:
    """A connection to the checked address; https still verifies the certificate for the URL's host name."""
    limits = urllib3.Timeout(total=timeout)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=limits,
            server_hostname=target.host,
            assert_hostname=target.host,
            ssl_context=ssl.create_default_context(),
            maxsize=1,
        )
    return urllib3.HTTPConnectionPool(address, target.port, timeout=limits, maxsize=1)


def _judge(status: int, location: str | None) -> str | None:
    if 200 <= status < 300:
        return None
    if 300 <= status < 400:
        return f"The receiver answered {status} (redirect to {location}); webhooks follow no redirects."[:MAX_ERROR]
    return f"The receiver answered {status}."


def _describe(error: HTTPError) -> str:
    name = type(error).__name__
    if "Timeout" in name or "timed out" in str(error):
        return "The receiver did not answer in time."
    return f"The receiver could not be reached ({name}: {error})."


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
