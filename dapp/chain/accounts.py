"""Organization accounts (R-CHAIN-4): platform-managed keys encrypted at rest, and the signatures by which a
buyer proves it controls a wallet of its own (EIP-191 personal_sign or EIP-712 typed data)."""

from typing import Any

from eth_account import Account
from eth_account.messages import SignableMessage, encode_defunct, encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_keys.exceptions import BadSignature
from eth_utils import is_checksum_address, to_checksum_address
from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.errors import field_error
from dapp.models.accounts import Organization
from dapp.security import decrypt_secret, encrypt_secret

ZERO_ADDRESS = "0x" + "0" * 40


class MalformedSignature(ValueError):
    """The bytes given are not a recoverable secp256k1 signature."""


def new_managed_account(secret_key: str) -> tuple[str, bytes]:
    """A fresh account: its checksum address and its private key encrypted with the master key."""
    account = Account.create()
    return account.address, encrypt_secret(secret_key, bytes(account.key))


def managed_account_key(secret_key: str, encrypted_key: bytes) -> bytes:
    return decrypt_secret(secret_key, encrypted_key)


def managed_account(session: Session, secret_key: str, address: str) -> LocalAccount | None:
    """The platform-managed account at `address`, unlocked; None if no organization's managed key is there."""
    encrypted_key = session.scalar(
        select(Organization.encrypted_private_key).where(Organization.blockchain_address == address)
    )
    return Account.from_key(managed_account_key(secret_key, encrypted_key)) if encrypted_key else None


def sign_text(private_key: str, message: bytes) -> tuple[str, str]:
    """EIP-191 signature of `message` (personal_sign); returns the signer's address and the 0x signature."""
    account = Account.from_key(private_key)
    signed = account.sign_message(encode_defunct(primitive=message))
    return account.address, "0x" + signed.signature.hex().removeprefix("0x")


def personal_sign_signer(message: str, signature: str) -> str:
    """The address that signed `message` with personal_sign (EIP-191 version 0x45)."""
    return _recover(encode_defunct(text=message), signature)


def typed_data_signer(typed_data: dict[str, Any], signature: str) -> str:
    """The address that signed EIP-712 `typed_data` (eth_signTypedData_v4)."""
    return _recover(encode_typed_data(full_message=typed_data), signature)


def _recover(signable: SignableMessage, signature: str) -> str:
    try:
        raw = bytes.fromhex(signature.removeprefix("0x"))
    except ValueError as error:
        raise MalformedSignature("the signature is not hexadecimal") from error
    if len(raw) != 65:
        raise MalformedSignature(f"a signature has 65 bytes, not {len(raw)}")
    try:
        return Account.recover_message(signable, signature=raw)
    except (BadSignature, ValueError) as error:  # r or s out of range; v not 27/28
        raise MalformedSignature(str(error)) from error


def checked_address(field: str, value: str) -> str:
    """A 0x address in checksum form; a mixed-case address whose checksum is wrong is a typing error."""
    digits = value[2:]
    if digits not in (digits.lower(), digits.upper()) and not is_checksum_address(value):
        raise field_error(
            field, "The address's mixed-case checksum is wrong: check it for typing errors.", "bad_checksum"
        )
    return to_checksum_address(value)
