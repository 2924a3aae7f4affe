"""Fees under a ceiling and the replacement bump (ADR 0117), network presets (ADR 0116), keystores (ADR 0118):
the rules that need no chain."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account
from pydantic import ValidationError

from dapp.chain import keystore
from dapp.chain.fees import GWEI, FeeAboveCeiling, FeeCeiling, FeeQuote, Fees
from dapp.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CEILING = FeeCeiling(max_fee=100 * GWEI, max_priority_fee=10 * GWEI, bump_percent=12.5)
PASSPHRASE = "correct horse battery staple"


def test_a_new_transaction_leaves_room_for_the_base_fee_to_double_within_the_ceiling() -> None:
    assert FeeQuote(20 * GWEI, 2 * GWEI, CEILING).fees() == Fees(42 * GWEI, 2 * GWEI)
    assert FeeQuote(60 * GWEI, 2 * GWEI, CEILING).fees() == Fees(100 * GWEI, 2 * GWEI)  # capped, still enough


@pytest.mark.parametrize(("base", "tip"), [(99 * GWEI, 2 * GWEI), (20 * GWEI, 11 * GWEI)])
def test_a_fee_above_the_ceiling_is_not_paid(base: int, tip: int) -> None:
    quote = FeeQuote(base, tip, CEILING)
    assert quote.above_ceiling
    with pytest.raises(FeeAboveCeiling, match="Waiting for fees to drop: the network asks"):
        quote.fees()


def test_a_replacement_raises_both_fees_by_the_bump_at_least_and_follows_a_dearer_network() -> None:
    old = Fees(30 * GWEI, 2 * GWEI)
    calm = FeeQuote(5 * GWEI, 1 * GWEI, CEILING).replacement(old)
    assert calm.max_fee >= old.max_fee * 1.1
    assert calm.priority_fee >= old.priority_fee * 1.1
    assert calm == Fees(33_750_000_000, 2_250_000_000)
    busy = FeeQuote(40 * GWEI, 3 * GWEI, CEILING).replacement(old)
    assert busy == Fees(83 * GWEI, 3 * GWEI)


def test_a_replacement_that_would_pass_the_ceiling_is_not_made() -> None:
    with pytest.raises(FeeAboveCeiling, match="Not replacing the stuck transaction"):
        FeeQuote(5 * GWEI, 1 * GWEI, CEILING).replacement(Fees(95 * GWEI, 2 * GWEI))


def test_a_legacy_chain_gets_a_gas_price_under_the_same_ceiling() -> None:
    fees = FeeQuote(7 * GWEI, 0, CEILING, legacy=True).fees()
    assert fees.fields() == {"gasPrice": 7 * GWEI}
    assert FeeQuote(101 * GWEI, 0, CEILING, legacy=True).above_ceiling


@pytest.mark.parametrize(
    ("network", "chain_id", "confirmations"),
    [("local", 31337, 0), ("volta", 73799, 6), ("ewc", 246, 12), ("amoy", 80002, 16), ("polygon", 137, 32)],
)
def test_each_preset_names_its_chain_id_and_confirmations(network: str, chain_id: int, confirmations: int) -> None:
    settings = Settings(_env_file=None, chain_network=network)
    assert (settings.chain_id, settings.confirmations) == (chain_id, confirmations)
    assert settings.chain_rpc_url.startswith("https://" if network != "local" else "http://127.0.0.1")


def test_a_setting_wins_over_its_preset_and_a_custom_network_needs_its_url_and_chain_id() -> None:
    own = Settings(_env_file=None, chain_network="volta", chain_rpc_url="https://volta.example.org", confirmations=2)
    assert (own.chain_rpc_url, own.chain_id, own.confirmations) == ("https://volta.example.org", 73799, 2)
    with pytest.raises(ValidationError, match="a custom chain network needs DREC_CHAIN_RPC_URL and DREC_CHAIN_ID"):
        Settings(_env_file=None, chain_network="custom")
    with pytest.raises(ValidationError, match="the volta network is chain 73799, not 31337"):
        Settings(_env_file=None, chain_network="volta", chain_id=31337)


def test_a_plain_private_key_is_refused_on_a_public_network_and_never_echoed() -> None:
    key = "0x" + "ab" * 32
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, chain_network="ewc", platform_private_key=key)
    assert "DREC_PLATFORM_PRIVATE_KEY is refused on the ewc network" in str(refused.value)
    assert "abab" not in str(refused.value)


def test_a_public_network_without_a_keystore_says_which_settings_to_give() -> None:
    with pytest.raises(keystore.KeystoreError, match="DREC_PLATFORM_KEYSTORE"):
        keystore.platform_key(Settings(_env_file=None, chain_network="volta"))


def test_a_keystore_holds_the_key_for_its_owner_only_and_opens_with_its_passphrase_alone(tmp_path: Path) -> None:
    key = Account.create().key
    path = tmp_path / "platform.json"
    address = keystore.create(path, PASSPHRASE, bytes(key))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keystore.address_of(path) == address == Account.from_key(key).address
    assert keystore.unlock(path, PASSPHRASE).key == key
    with pytest.raises(keystore.KeystoreError, match="the passphrase does not unlock") as wrong:
        keystore.unlock(path, "not the passphrase")
    assert "not the passphrase" not in str(wrong.value)
    with pytest.raises(keystore.KeystoreError, match="exists already"):
        keystore.create(path, PASSPHRASE)
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n")
    settings = Settings(
        _env_file=None, chain_network="volta", platform_keystore=path, platform_keystore_passphrase_file=passphrase_file
    )
    assert Account.from_key(keystore.platform_key(settings)).address == address


def test_drec_keystore_create_imports_a_key_from_stdin_and_prints_only_its_address(tmp_path: Path) -> None:
    key = Account.create().key
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE)
    path = tmp_path / "deployer.json"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from dapp.cli import main; main()",
            "keystore",
            "create",
            str(path),
            "--import",
            "--passphrase-file",
            str(passphrase_file),
        ],
        input=key.hex() + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    address = Account.from_key(key).address
    assert address in result.stdout
    assert key.hex().removeprefix("0x") not in result.stdout + result.stderr
    assert PASSPHRASE not in result.stdout + result.stderr
    assert keystore.unlock(path, PASSPHRASE).address == address
