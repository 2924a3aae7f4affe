"""Invariants over random operation sequences, for every certificate:

- issued = Σ balances + Σ claimed;
- every balance equals a plain ledger replaying the same operations (the contract keeps the first holder's
  balance in the certificate's issuance slot and the rest apart, docs/adr/0056: both parts must add up);
- an overdraw, or any move of a revoked certificate, reverts and changes nothing.
"""

import random
from collections import Counter

import ape
from eth_utils import keccak

CID = (bytes.fromhex("01551220"), keccak(b"document"))  # metadata CID prefix and digest
STEPS = 80


def certificate(to, serial, volume):
    return (keccak(serial.to_bytes(8, "big")), to.address, volume, 1, 2, bytes(16), keccak(b"r"), *CID)


class Ledger:
    """The balances the contract should report, kept the obvious way."""

    def __init__(self, issued):
        self.balances = Counter({(token, holder): volume for token, (holder, volume) in issued.items()})
        self.claimed = Counter()

    def move(self, token, source, target, amount):
        self.balances[token, source] -= amount
        if target is not None:  # None: burnt by a claim
            self.balances[token, target] += amount


def check(certificates, holders, issued, ledger):
    for token, (_, volume) in issued.items():
        held = [certificates.balanceOf(h, token) for h in holders]
        claimed = [certificates.claimedBalanceOf(h, token) for h in holders]
        assert sum(held) + sum(claimed) == volume
        assert held == [ledger.balances[token, h.address] for h in holders]
        assert claimed == [ledger.claimed[token, h.address] for h in holders]
        assert certificates.balanceOfBatch(holders, [token] * len(holders)) == held


def random_step(rng, certificates, issuer, holders, ledger, revoked):
    """One operation on a random token and a random holder that has some of it."""
    token = rng.choice(sorted({t for t, _ in ledger.balances}))
    owning = [h for h in holders if ledger.balances[token, h.address] > 0]
    action = rng.choices(["transfer", "batch", "claim", "overdraw", "revoke"], weights=[35, 15, 30, 10, 5])[0]
    if action == "revoke" or not owning:
        certificates.revoke(token, "random", sender=issuer)
        revoked.add(token)
        return
    holder = rng.choice(owning)
    balance = ledger.balances[token, holder.address]
    amount = rng.choice([balance, rng.randint(1, balance)])
    if token in revoked:
        with ape.reverts(certificates.CertificateIsRevoked):
            if action == "claim":
                certificates.claim(holder, token, amount, b"", sender=holder)
            else:
                certificates.safeTransferFrom(holder, rng.choice(holders), token, amount, b"", sender=holder)
    elif action == "overdraw":
        with ape.reverts(certificates.ERC1155InsufficientBalance):
            certificates.safeTransferFrom(holder, rng.choice(holders), token, balance + 1, b"", sender=holder)
    elif action == "claim":
        certificates.claim(holder, token, amount, b"", sender=holder)
        ledger.move(token, holder.address, None, amount)
        ledger.claimed[token, holder.address] += amount
    elif action == "batch":
        batch_transfer(rng, certificates, holder, holders, ledger, revoked)
    else:
        target = rng.choice(holders)
        certificates.safeTransferFrom(holder, target, token, amount, b"", sender=holder)
        ledger.move(token, holder.address, target.address, amount)


def batch_transfer(rng, certificates, holder, holders, ledger, revoked):
    """Move part of every unrevoked token `holder` has, in one safeBatchTransferFrom."""
    moves = {
        t: rng.randint(1, v)
        for (t, h), v in sorted(ledger.balances.items())
        if h == holder.address and v > 0 and t not in revoked
    }
    if not moves:
        return
    target = rng.choice(holders)
    certificates.safeBatchTransferFrom(holder, target, list(moves), list(moves.values()), b"", sender=holder)
    for token, amount in moves.items():
        ledger.move(token, holder.address, target.address, amount)


def test_balances_follow_a_plain_ledger_and_issued_equals_balances_plus_claimed(certificates, issuer, accounts):
    rng = random.Random(1888)
    holders = list(accounts[2:6])
    batch = [certificate(rng.choice(holders), i, rng.randint(1, 10_000)) for i in range(6)]
    certificates.issueBatch(batch, sender=issuer)
    issued = {int.from_bytes(c[0], "big"): (c[1], c[2]) for c in batch}
    ledger = Ledger(issued)
    revoked: set[int] = set()
    for step in range(1, STEPS + 1):
        random_step(rng, certificates, issuer, holders, ledger, revoked)
        if step % 10 == 0:
            check(certificates, holders, issued, ledger)
