"""`drec keystore`: make or import the encrypted keystore of a signer (the platform's, the deployer's) for a public
network (ADR 0118). Neither the passphrase nor the key is ever an argument or an environment variable: both are
asked at the terminal (or read from a file or a pipe) and never printed."""

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from dapp.chain import keystore


def add_commands(commands: Any) -> None:
    group = commands.add_parser("keystore", help="encrypted keystores of the platform signer and the deployer")
    actions = group.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="write a new keystore (a fresh key, or --import one)")
    create.add_argument("file", type=Path, help="where to write the keystore (never overwritten)")
    create.add_argument("--import", dest="import_key", action="store_true", help="encrypt an existing private key")
    create.add_argument("--passphrase-file", type=Path, help="read the passphrase from this file")
    create.set_defaults(handler=_create)
    address = actions.add_parser("address", help="the account a keystore holds (no passphrase needed)")
    address.add_argument("file", type=Path)
    address.set_defaults(handler=_address)


def _create(args: argparse.Namespace) -> None:
    try:
        passphrase = _new_passphrase(args.passphrase_file)
        key = _key_to_import() if args.import_key else None
        account = keystore.create(args.file, passphrase, key)
    except keystore.KeystoreError as error:
        raise SystemExit(f"drec keystore: {error}") from None
    print(f"{account} in {args.file}")
    print(f"Give it to the platform with DREC_PLATFORM_KEYSTORE={args.file.resolve()} (docs/public-chains.md).")


def _address(args: argparse.Namespace) -> None:
    try:
        print(keystore.address_of(args.file))
    except keystore.KeystoreError as error:
        raise SystemExit(f"drec keystore: {error}") from None


def _new_passphrase(file: Path | None) -> str:
    if file is not None or not sys.stdin.isatty():
        return keystore.read_passphrase(file, "the new keystore", "--passphrase-file")
    passphrase = getpass.getpass("Passphrase of the new keystore: ")
    if getpass.getpass("The same passphrase again: ") != passphrase:
        raise keystore.KeystoreError("the two passphrases differ")
    return passphrase


def _key_to_import() -> bytes:
    """The private key to encrypt: asked without echo at a terminal, else the first line of stdin."""
    text = getpass.getpass("Private key (hex): ") if sys.stdin.isatty() else sys.stdin.readline()
    try:
        key = bytes.fromhex(text.strip().removeprefix("0x"))
    except ValueError:
        raise keystore.KeystoreError("the private key is not hexadecimal") from None
    if len(key) != 32:
        raise keystore.KeystoreError(f"a private key has 32 bytes, not {len(key)}")
    return key
