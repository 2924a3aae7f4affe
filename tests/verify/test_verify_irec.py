"""The I-REC document a certificate's `IrecIssued` names (ADR 0110): the verifier fetches it by the CID the chain
records and checks that it is the certificate's next version with the event's serials."""

from dapp import platform
from dapp.ipfs import add_json
from tests.indexer import onchain
from tests.support.workers import run_indexer
from tests.verify.conftest import standalone

CHECK = "I-REC document agrees with the chain"


def irec_check(registry: str, token: str) -> dict:  # type: ignore[type-arg]
    _status, report = standalone(registry, "certificate", token)
    [check] = [c for c in report["checks"] if c["name"] == CHECK]
    return check


def confirmed_with(serial_end_in_document: str) -> str:
    """A provisional certificate confirmed with serials S-1…S-2 and a document naming S-1…`serial_end`."""
    token = onchain.issue_provisional(onchain.new_wallet().address, 700)
    document = {
        "certificate_key": hex(int(token)),
        "previous_version_cid": onchain.CID,
        "irec": {"serial_start": "S-1", "serial_end": serial_end_in_document},
    }
    onchain.confirm_irec(token, "S-1", "S-2", add_json(platform.current().content, document))
    run_indexer()  # the gateway serves a document once an indexed event names it
    return token


def test_the_irec_document_the_chain_names_is_checked_against_the_event(app, registry) -> None:
    assert irec_check(registry, confirmed_with("S-2"))["passed"]
    tampered = irec_check(registry, confirmed_with("S-9"))
    assert not tampered["passed"]
    assert "serial end" in tampered["detail"]


def test_a_release_as_drec_is_what_the_verifier_reports(app, registry) -> None:
    beneficiary = onchain.new_wallet().address
    token = onchain.issue_provisional(beneficiary, 700)
    onchain.release_provisional(token, 700)
    _status, report = standalone(registry, "certificate", token)
    irec = report["chain"]["irec"]
    assert (irec["state"], irec["beneficiary"], irec["released_wh"]) == ("released", beneficiary.lower(), 700)
    assert not [c for c in report["checks"] if c["name"] == CHECK]
