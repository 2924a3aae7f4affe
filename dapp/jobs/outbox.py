"""The chain outbox's handlers, in the order a run of the chain job takes them: reservation logs first (a
reservation is on chain before its certificates), then mints, then the claims and transfers of minted
certificates. A feature that sends something new on chain adds its handler here."""

from dapp.chain import jobs
from dapp.chain.sending import Handler
from dapp.irec import onchain as irec
from dapp.issuance import onchain as issuance
from dapp.reservations import onchain as reservations

HANDLERS: tuple[Handler, ...] = (
    reservations.LOG,
    issuance.MINTS,
    issuance.PROVISIONAL_MINTS,
    irec.RELEASES,
    irec.CONFIRMATIONS,
    issuance.CLAIMS,
    issuance.TRANSFERS,
)


def install() -> None:
    """Let this process's chain job (and an admin's retry) know every kind of entry."""
    jobs.install(HANDLERS)
