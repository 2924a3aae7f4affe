"""Transactions signed by an organization's platform-managed account (custodial operations such as claims and
transfers): its key, encrypted at rest, is unlocked for the transaction. An account short of gas money is topped
up from the platform account first, through a recorded transaction (dapp.chain.sending.top_up), so that a crash
never funds it twice."""

from eth_account import Account

from dapp.chain.accounts import managed_account_key
from dapp.chain.sending import NeedsGas, Run, Signer

GAS_MINIMUM_WEI = 10**16  # 0.01 of the chain's coin
GAS_TOP_UP_WEI = 5 * 10**16


def managed_signer(run: Run, encrypted_key: bytes) -> Signer:
    """The managed account of `encrypted_key`, able to pay for one more transaction; NeedsGas if it is not (the
    try then tops it up and starts again)."""
    account = Account.from_key(managed_account_key(run.secret_key, encrypted_key))
    if run.chain.balance_wei(account.address) < GAS_MINIMUM_WEI:
        raise NeedsGas(account.address, GAS_TOP_UP_WEI)
    return Signer(account.address, account)
