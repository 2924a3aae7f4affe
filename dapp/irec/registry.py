"""The I-REC registry adapter (R-IREC-5): the only code that speaks to the registry.

The interface, in the registry's terms (device groups, issue requests, accounts, redemptions), is `Registry`;
`HttpRegistry` implements it over HTTP with a bearer token. Which registry answers (the simulator in development
and tests, the real one in production) is configuration: `DREC_IREC_REGISTRY_URL` and `DREC_IREC_REGISTRY_TOKEN`.
Every creating call carries a client key, so repeating it after a timeout never creates a second object.

Failures come in two kinds: `RegistryUnavailable` (no answer, a timeout, a 5xx: try again later) and
`RegistryRefused` (the registry answered no, with its reason: retrying the same request will not help).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import requests


class RegistryUnavailable(Exception):
    """The registry did not answer, or failed: the same request may succeed later."""


class RegistryRefused(Exception):
    """The registry refused the request; `reason` is its own words."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Serials:
    """A range of I-REC serial numbers, both ends included: numbers to compare, labels as the registry prints."""

    first: int
    last: int
    start: str
    end: str

    @property
    def count(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class SerialSlice:
    """`volume_mwh` serials of one issuance from serial number `first` on."""

    issue_id: str
    first: int
    volume_mwh: int


@dataclass(frozen=True)
class Registration:
    id: str
    status: str  # submitted, approved, rejected
    reason: str | None


@dataclass(frozen=True)
class IssueRequest:
    id: str
    status: str  # pending, approved, rejected
    volume_mwh: int
    approved_mwh: int | None
    reason: str | None
    serials: Serials | None


@dataclass(frozen=True)
class Redemption:
    id: str
    reference: str
    volume_mwh: int
    serials: Serials
    account: str


@dataclass(frozen=True)
class DeviceGroupSpec:
    """What the registry is told about a device group."""

    name: str
    country: str
    fuel: str
    device_type: str
    organization: str
    capacity_kw: str
    devices: list[str]


class Registry(Protocol):
    """What the platform asks of an I-REC registry."""

    def register_group(self, client_key: str, group: DeviceGroupSpec) -> Registration:
        """Submit a device group for registration; its decision comes later (`registration`)."""

    def registration(self, registry_id: str) -> Registration:
        """A submitted group's status: submitted, approved or rejected (with the reason)."""

    def request_issue(
        self, client_key: str, group_id: str, period: tuple[datetime, datetime], volume_mwh: int
    ) -> IssueRequest:
        """Ask for `volume_mwh` whole MWh of I-RECs for an approved group's production in `period`."""

    def issue(self, registry_id: str) -> IssueRequest:
        """An issue request's status; once approved, its serials (in the platform account)."""

    def redeem(
        self, client_key: str, serials: SerialSlice, beneficiary: str, period: tuple[datetime, datetime]
    ) -> Redemption:
        """Move the MWh of `serials` from the platform account to the redemption account for `beneficiary`; the
        answer is the redemption statement (reference and serials)."""

    def account_balance(self, code: str) -> int:
        """MWh held by the account `code` (platform or redemption)."""


@dataclass
class HttpRegistry:
    """`Registry` over HTTP (the simulator's and the registry's API)."""

    url: str
    token: str
    timeout_seconds: float = 10

    def register_group(self, client_key: str, group: DeviceGroupSpec) -> Registration:
        body = {"client_key": client_key, **group.__dict__}
        return _registration(self._call("POST", "/api/device-groups", body))

    def registration(self, registry_id: str) -> Registration:
        return _registration(self._call("GET", f"/api/device-groups/{registry_id}"))

    def request_issue(
        self, client_key: str, group_id: str, period: tuple[datetime, datetime], volume_mwh: int
    ) -> IssueRequest:
        body = {"client_key": client_key, "device": group_id, **_period(period), "volume_mwh": volume_mwh}
        return _issue(self._call("POST", "/api/issues", body))

    def issue(self, registry_id: str) -> IssueRequest:
        return _issue(self._call("GET", f"/api/issues/{registry_id}"))

    def redeem(
        self, client_key: str, serials: SerialSlice, beneficiary: str, period: tuple[datetime, datetime]
    ) -> Redemption:
        body = {
            "client_key": client_key,
            "issue": serials.issue_id,
            "serial_first": serials.first,
            "volume_mwh": serials.volume_mwh,
            "beneficiary": beneficiary,
        }
        answer = self._call("POST", "/api/redemptions", body | _period(period))
        redeemed = _serials(answer["serials"])
        assert redeemed is not None
        return Redemption(answer["id"], answer["reference"], answer["volume_mwh"], redeemed, answer["account"])

    def account_balance(self, code: str) -> int:
        return int(self._call("GET", f"/api/accounts/{code}")["balance_mwh"])

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            response = requests.request(
                method, self.url.rstrip("/") + path, json=body, headers=headers, timeout=self.timeout_seconds
            )
        except requests.RequestException as error:
            raise RegistryUnavailable(f"the I-REC registry did not answer: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise RegistryUnavailable(f"the I-REC registry failed with HTTP {response.status_code}")
        answer = _json(response)
        if response.status_code >= 400:
            raise RegistryRefused(response.status_code, str(answer.get("reason") or response.reason))
        return answer


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError as error:
        raise RegistryUnavailable(f"the I-REC registry answered HTTP {response.status_code} without JSON") from error
    return answer if isinstance(answer, dict) else {}


def _period(period: tuple[datetime, datetime]) -> dict[str, str]:
    return {"period_start": period[0].isoformat(), "period_end": period[1].isoformat()}


def _serials(data: dict[str, Any] | None) -> Serials | None:
    if data is None:
        return None
    return Serials(int(data["first"]), int(data["last"]), str(data["start"]), str(data["end"]))


def _registration(answer: dict[str, Any]) -> Registration:
    return Registration(answer["id"], answer["status"], answer.get("reason"))


def _issue(answer: dict[str, Any]) -> IssueRequest:
    return IssueRequest(
        answer["id"],
        answer["status"],
        answer["volume_mwh"],
        answer.get("approved_mwh"),
        answer.get("reason"),
        _serials(answer.get("serials")),
    )


def registry_from_settings(settings: Any) -> Registry:
    """The registry the configuration names."""
    return HttpRegistry(settings.irec_registry_url, settings.irec_registry_token)
