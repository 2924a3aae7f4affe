"""The chain job knows the kinds of outbox entries through the handlers the wiring installs (ADR 0062)."""

import pytest

from dapp.chain import jobs, sending
from dapp.jobs.outbox import HANDLERS
from dapp.models.chain import OutboxKind


def test_every_kind_of_outbox_entry_has_exactly_one_handler() -> None:
    kinds = [kind for handler in HANDLERS for kind in handler.kinds]
    declared = {value for name, value in vars(OutboxKind).items() if name.isupper()}
    assert sorted(kinds) == sorted(declared)


def test_a_run_takes_logs_then_mints_then_irec_releases_and_confirmations_then_claims_and_transfers() -> None:
    names = [handler.name for handler in HANDLERS]
    assert names == [
        "logged",
        "mint_entries",
        "provisional_mint_entries",
        "irec_releases",
        "irec_confirmations",
        "claims",
        "transfers",
    ]


def test_an_entry_of_a_kind_no_handler_owns_is_an_error_not_a_silence() -> None:
    with pytest.raises(LookupError, match="no outbox handler is installed for 'unknown'"):
        sending.effects_of(HANDLERS, "unknown")


def test_a_process_that_installed_no_handler_refuses_to_run_the_chain_job(monkeypatch) -> None:
    monkeypatch.setattr(jobs, "_installed", ())
    with pytest.raises(RuntimeError, match="no outbox handler is installed"):
        jobs.installed()
