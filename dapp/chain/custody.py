"""Transactions signed by an organization's platform-managed account (custodial operations such as claims and
transfers): its key, encrypted at rest, is unlocked for the transaction, and its gas is topped up from the
platform account first. Sent through dapp.chain.sending like every outbox entry."""

from eth_account import Account

from dapp.chain.accounts import managed_account_key
from dapp.chain.sending import Run, Signer

GAS_MINIMUM_WEI = 10**16  # 0.01 of the chain's coin
GAS_TOP_UP_WEI = 5 * 10**16


def managed_signer(run: Run, encrypted_key: bytes) -> Signer:
    """The managed account of `encrypted_key`, able to pay for one more transaction."""
    account = Account.from_key(managed_account_key(run.secret_key, encrypted_key))
    run.chain.fund(account.address, GAS_MINIMUM_WEI, GAS_TOP_UP_WEI)
    return Signer(account.address, account)
