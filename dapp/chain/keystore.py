"""Keys from encrypted keystores (Ethereum V3 keystore JSON, ADR 0118).

On a public network the platform signer (and the deployer, scripts/deploy.py) is a keystore file and its
passphrase: the passphrase comes from a file (`…_PASSPHRASE_FILE`, e.g. a systemd credential) or, at a terminal,
from a prompt; it is never logged, never put in an error, never taken from an environment variable. anvil's
development key stays the default of the local chain only (dapp.settings refuses a plain key elsewhere).

Unlocking a keystore takes about a second (scrypt), so each process unlocks the platform's once.
"""

import getpass
import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address


class KeystoreError(Exception):
    """A keystore cannot be read, written or unlocked (the message names the file, never the passphrase)."""


def create(path: Path, passphrase: str, private_key: bytes | None = None) -> str:
    """Write a V3 keystore of `private_key` (a fresh key when None) at `path`, readable by its owner only;
    returns the account's address. An existing file is never overwritten."""
    if len(passphrase) < 12:
        raise KeystoreError("a keystore passphrase has 12 characters at least")
    account = Account.from_key(private_key) if private_key is not None else Account.create()
    document = Account.encrypt(account.key, passphrase)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as error:
        raise KeystoreError(f"{path} exists already: choose another file") from error
    with os.fdopen(descriptor, "w") as file:
        json.dump(document, file)
    return account.address


def address_of(path: Path) -> str:
    """The account a keystore holds, read without its passphrase."""
    address = str(_document(path)["address"])
    return to_checksum_address(address if address.startswith("0x") else "0x" + address)


def unlock(path: Path, passphrase: str) -> LocalAccount:
    try:
        return Account.from_key(Account.decrypt(_document(path), passphrase))
    except ValueError as error:  # eth-account: "MAC mismatch" for a wrong passphrase
        raise KeystoreError(f"the passphrase does not unlock {path}") from error


def read_passphrase(file: Path | None, what: str, setting: str) -> str:
    """The passphrase in `file` (its last line break dropped), else asked at the terminal; `setting` names the
    variable to set when there is neither."""
    if file is not None:
        try:
            return file.read_text().removesuffix("\n")
        except OSError as error:
            raise KeystoreError(f"cannot read the passphrase file {file}: {error.strerror}") from error
    if not sys.stdin.isatty():
        raise KeystoreError(f"no passphrase for {what}: set {setting} (no terminal to ask at)")
    return getpass.getpass(f"Passphrase of {what}: ")


def platform_key(settings: Any) -> str:
    """The platform signer's private key (0x hex): from its keystore when one is configured, else the plain
    development key (local chain only)."""
    if settings.platform_keystore is None:
        if settings.is_public_chain:
            raise KeystoreError(
                f"on the {settings.chain_network} network the platform signer comes from a keystore: set"
                " DREC_PLATFORM_KEYSTORE (made by `drec keystore create`) and DREC_PLATFORM_KEYSTORE_PASSPHRASE_FILE"
            )
        return str(settings.platform_private_key)
    return _unlocked(settings.platform_keystore.resolve(), settings.platform_keystore_passphrase_file)


@cache
def _unlocked(path: Path, passphrase_file: Path | None) -> str:
    what = f"the platform signer's keystore {path}"
    passphrase = read_passphrase(passphrase_file, what, "DREC_PLATFORM_KEYSTORE_PASSPHRASE_FILE")
    return "0x" + bytes(unlock(path, passphrase).key).hex()


def _document(path: Path) -> dict[str, Any]:
    try:
        document: dict[str, Any] = json.loads(path.read_text())
    except OSError as error:
        raise KeystoreError(f"cannot read the keystore {path}: {error.strerror}") from error
    except ValueError as error:
        raise KeystoreError(f"{path} is not a keystore (not JSON)") from error
    if document.get("version") != 3 or "crypto" not in document or "address" not in document:
        raise KeystoreError(f"{path} is not an Ethereum V3 keystore")
    return document
