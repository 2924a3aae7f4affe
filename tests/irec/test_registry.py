"""The registry adapter against the simulator as a real process (R-IREC-5)."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from dapp.irec.registry import DeviceGroupSpec, HttpRegistry, RegistryRefused, RegistryUnavailable, SerialSlice
from scripts import devstack

TOKEN = "registry-test-token"
PERIOD = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))


class Simulator:
    def __init__(self, state: Path) -> None:
        self.state = state
        self.port = devstack.free_port()
        self.url, self.stop = devstack.start_irec_simulator(state, TOKEN, self.port)

    def restart(self) -> None:
        self.url, self.stop = devstack.start_irec_simulator(self.state, TOKEN, self.port)

    def behave(self, **changes: object) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        requests.post(f"{self.url}/_simulator/behaviour", json=changes, headers=headers, timeout=5).raise_for_status()


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[Simulator]:
    running = Simulator(tmp_path / "registry.sqlite3")
    yield running
    running.stop()


@pytest.fixture
def registry(simulator: Simulator) -> HttpRegistry:
    return HttpRegistry(simulator.url, TOKEN)


def group(name: str = "KEN ES100 TC110 Sunrise") -> DeviceGroupSpec:
    return DeviceGroupSpec(name, "KEN", "ES100", "TC110", "Sunrise Ltd", "12.5", ["dev-1", "dev-2"])


def approved_group(registry: HttpRegistry, key: str = "group-1") -> str:
    submitted = registry.register_group(key, group(key))
    assert registry.registration(submitted.id).status == "approved"
    return submitted.id


def test_a_registration_is_decided_after_the_configured_delay(simulator: Simulator, registry: HttpRegistry) -> None:
    simulator.behave(approval_delay_seconds=0.5)
    submitted = registry.register_group("group-1", group())
    assert submitted.status == "submitted"
    assert registry.registration(submitted.id).status == "submitted"
    time.sleep(0.6)
    assert registry.registration(submitted.id).status == "approved"


def test_a_rejection_carries_the_registry_reason(simulator: Simulator, registry: HttpRegistry) -> None:
    simulator.behave(reject_with="Commissioning evidence missing")
    submitted = registry.register_group("group-1", group())
    decided = registry.registration(submitted.id)
    assert (decided.status, decided.reason) == ("rejected", "Commissioning evidence missing")


def test_a_client_key_creates_once_and_refuses_another_body(registry: HttpRegistry) -> None:
    first = registry.register_group("group-1", group())
    assert registry.register_group("group-1", group()).id == first.id
    with pytest.raises(RegistryRefused) as refused:
        registry.register_group("group-1", group("another name"))
    assert refused.value.status == 409


def test_issues_whole_mwh_with_serials_unique_across_issuances(registry: HttpRegistry) -> None:
    device = approved_group(registry)
    with pytest.raises(RegistryRefused, match="whole number"):
        registry.request_issue("issue-0", device, PERIOD, 0)
    first = registry.issue(registry.request_issue("issue-1", device, PERIOD, 3).id)
    second = registry.issue(registry.request_issue("issue-2", device, PERIOD, 2).id)
    assert first.status == second.status == "approved"
    assert first.serials is not None
    assert second.serials is not None
    assert (first.serials.count, second.serials.count) == (3, 2)
    assert first.serials.last < second.serials.first
    assert registry.account_balance("PLATFORM-1") == 5


def test_an_issue_request_for_a_group_not_approved_is_refused(simulator: Simulator, registry: HttpRegistry) -> None:
    simulator.behave(approval_delay_seconds=60)
    submitted = registry.register_group("group-1", group())
    with pytest.raises(RegistryRefused, match="not approved"):
        registry.request_issue("issue-1", submitted.id, PERIOD, 1)


def test_the_registry_may_approve_fewer_mwh_than_asked(simulator: Simulator, registry: HttpRegistry) -> None:
    device = approved_group(registry)
    simulator.behave(shortfall_mwh=1)
    decided = registry.issue(registry.request_issue("issue-1", device, PERIOD, 4).id)
    assert (decided.volume_mwh, decided.approved_mwh) == (4, 3)
    assert decided.serials is not None
    assert decided.serials.count == 3


def test_redemption_moves_mwh_to_the_redemption_account_with_a_statement(registry: HttpRegistry) -> None:
    device = approved_group(registry)
    issue = registry.issue(registry.request_issue("issue-1", device, PERIOD, 3).id)
    assert issue.serials is not None
    two = SerialSlice(issue.id, issue.serials.first, 2)
    statement = registry.redeem("redeem-1", two, "Buyer Co", PERIOD)
    assert statement.reference
    assert statement.account == "REDEEM-1"
    assert (statement.serials.first, statement.serials.count) == (issue.serials.first, 2)
    assert registry.redeem("redeem-1", two, "Buyer Co", PERIOD).reference == statement.reference
    assert (registry.account_balance("PLATFORM-1"), registry.account_balance("REDEEM-1")) == (1, 2)
    with pytest.raises(RegistryRefused, match="redeemed already"):
        registry.redeem("redeem-2", SerialSlice(issue.id, issue.serials.first + 1, 1), "Buyer Co", PERIOD)
    with pytest.raises(RegistryRefused, match="not all in issue"):
        registry.redeem("redeem-3", SerialSlice(issue.id, issue.serials.last, 2), "Buyer Co", PERIOD)


def test_a_wrong_token_is_refused(simulator: Simulator) -> None:
    with pytest.raises(RegistryRefused) as refused:
        HttpRegistry(simulator.url, "wrong").register_group("group-1", group())
    assert refused.value.status == 401


def test_a_registry_that_is_down_is_unavailable_and_keeps_its_state_over_a_restart(
    simulator: Simulator, registry: HttpRegistry
) -> None:
    device = approved_group(registry)
    simulator.stop()
    with pytest.raises(RegistryUnavailable):
        registry.registration(device)
    simulator.restart()
    assert registry.registration(device).status == "approved"
