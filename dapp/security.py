"""Secrets: Argon2id password hashes, random tokens stored as SHA-256, and org key encryption at rest."""

import hashlib
import hmac
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(32))


def dummy_password_hash() -> str:
    """A hash of a random secret made with the current parameters, for verifying a password against when there is
    no account: a sign-in for an unknown email then costs as much as one for a known email."""
    return _dummy_hash(_hasher)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A URL-safe random token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Tokens and API keys are high-entropy, so a plain SHA-256 is a sufficient at-rest form."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_hash(left: str, right: str) -> bool:
    return hmac.compare_digest(left, right)


def _master_key(secret_key: str) -> bytes:
    return hashlib.sha256(b"drec-org-keys:" + secret_key.encode()).digest()


def encrypt_secret(secret_key: str, plaintext: bytes) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(_master_key(secret_key)).encrypt(nonce, plaintext, b"org-key")


def decrypt_secret(secret_key: str, blob: bytes) -> bytes:
    return AESGCM(_master_key(secret_key)).decrypt(blob[:12], blob[12:], b"org-key")
