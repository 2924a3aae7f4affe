"""Problem documents (RFC 9457) from named errors: the code is the class's, the raise site adds detail only."""

import pytest

from dapp.devices.errors import DeviceNotFound
from dapp.errors import PROBLEM_TYPE_BASE, Conflict


def test_a_named_error_is_a_problem_document_with_its_classs_code() -> None:
    problem = DeviceNotFound("Your organization has no device with external id 'X'.", external_id="X").problem()
    assert problem == {
        "type": f"{PROBLEM_TYPE_BASE}device_not_found",
        "title": "Not found",
        "status": 404,
        "code": "device_not_found",
        "detail": "Your organization has no device with external id 'X'.",
        "external_id": "X",
    }


@pytest.mark.parametrize("member", ["code", "status", "type", "title"])
def test_a_raise_site_cannot_override_a_problems_own_members(member: str) -> None:
    with pytest.raises(TypeError, match="come from its class"):
        Conflict("Taken.", **{member: "something else"})
