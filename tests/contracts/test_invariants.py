"""Invariant over random operation sequences: for every certificate, issued = Σ balances + Σ claimed."""

import random

import ape
from eth_utils import keccak

CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
STEPS = 60


def certificate(to, serial, volume):
    return (keccak(serial.to_bytes(8, "big")), to.address, volume, 1, 2, bytes(16), keccak(b"r"), CID)


def check(certificates, holders, issued):
    for token, volume in issued.items():
        held = sum(certificates.balanceOf(h, token) for h in holders)
        claimed = sum(certificates.claimedBalanceOf(h, token) for h in holders)
        assert held + claimed == volume


def random_step(rng, certificates, issuer, holders, issued, revoked):
    token = rng.choice(list(issued))
    holder = max(holders, key=lambda h: certificates.balanceOf(h, token))
    balance = certificates.balanceOf(holder, token)
    action = rng.choices(["transfer", "claim", "revoke"], weights=[45, 45, 10])[0] if balance else "revoke"
    if action == "revoke":
        certificates.revoke(token, "random", sender=issuer)
        revoked.add(token)
        return
    amount = rng.randint(1, balance)
    if token in revoked:
        with ape.reverts(certificates.CertificateIsRevoked):
            certificates.claim(holder, token, amount, b"", sender=holder)
    elif action == "claim":
        certificates.claim(holder, token, amount, b"", sender=holder)
    else:
        certificates.safeTransferFrom(holder, rng.choice(holders), token, amount, b"", sender=holder)


def test_issued_equals_balances_plus_claimed(certificates, issuer, accounts):
    rng = random.Random(1888)
    holders = list(accounts[2:6])
    batch = [certificate(rng.choice(holders), i, rng.randint(1, 10_000)) for i in range(6)]
    certificates.issueBatch(batch, sender=issuer)
    issued = {int.from_bytes(c[0], "big"): c[2] for c in batch}
    revoked: set[int] = set()
    for step in range(1, STEPS + 1):
        random_step(rng, certificates, issuer, holders, issued, revoked)
        if step % 10 == 0:
            check(certificates, holders, issued)
