"""Platform-managed organization accounts (R-CHAIN-4): a key per organization, encrypted at rest."""

from eth_account import Account
from eth_account.messages import encode_defunct

from dapp.security import decrypt_secret, encrypt_secret


def new_managed_account(secret_key: str) -> tuple[str, bytes]:
    """A fresh account: its checksum address and its private key encrypted with the master key."""
    account = Account.create()
    return account.address, encrypt_secret(secret_key, bytes(account.key))


def managed_account_key(secret_key: str, encrypted_key: bytes) -> bytes:
    return decrypt_secret(secret_key, encrypted_key)


def sign_text(private_key: str, message: bytes) -> tuple[str, str]:
    """EIP-191 signature of `message` (personal_sign); returns the signer's address and the 0x signature."""
    account = Account.from_key(private_key)
    signed = account.sign_message(encode_defunct(primitive=message))
    return account.address, "0x" + signed.signature.hex().removeprefix("0x")
