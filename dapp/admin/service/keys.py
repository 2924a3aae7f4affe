"""Master-key rotation (R-CLI-1): every organization's platform-managed key is encrypted with a key derived from
`DREC_SECRET_KEY`; rotating decrypts each with the old secret and encrypts it with the new one, all in one
transaction, so either every key or none is re-encrypted."""

from cryptography.exceptions import InvalidTag
from sqlalchemy import select
from sqlalchemy.orm import Session

from dapp.admin.errors import MasterKeyMismatch
from dapp.models.accounts import Organization
from dapp.security import decrypt_secret, encrypt_secret


def rotate_managed_keys(session: Session, old_secret: str, new_secret: str) -> int:
    """Re-encrypt every managed key from `old_secret` to `new_secret`; returns how many. Refuses, changing
    nothing, if a key does not open with `old_secret`."""
    organizations = session.scalars(
        select(Organization).where(Organization.encrypted_private_key.is_not(None)).with_for_update()
    ).all()
    for organization in organizations:
        try:
            key = decrypt_secret(old_secret, organization.encrypted_private_key or b"")
        except InvalidTag as error:
            raise MasterKeyMismatch(
                f"The key of organization {organization.id} does not open with the current secret key; nothing was "
                "changed. Run the rotation with the DREC_SECRET_KEY the keys were encrypted with."
            ) from error
        organization.encrypted_private_key = encrypt_secret(new_secret, key)
    return len(organizations)
