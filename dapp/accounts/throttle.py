"""Slowing down password guessing (R-ACC-3) without locking the owner out, counted in Redis.

Failed sign-ins are counted per (account, client address) pair, per address and per account. Each counter lets
a few failures pass free, then asks for a growing wait before the next attempt: 2 s, 4 s, 8 s … up to a
ceiling. Nothing is ever locked:
- the pair's wait (up to 15 minutes) slows one guesser on one account; the owner elsewhere is untouched;
- the address's wait (up to 15 minutes, after 20 failures) slows one address trying many accounts;
- the account's wait (after 20 failures from any addresses, at most one minute) slows a guesser spread over
  many addresses; an address the account signed in from before (remembered 90 days) skips it, so the owner
  at home is not slowed at all.
A success clears the pair's count. A counter is forgotten a day after its last failure. The account is keyed
by a hash of the normalised email whether or not such an account exists, so a wait says nothing about which
emails are registered. Times are the platform clock's (tests and demos can move past a wait).
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis

from dapp.accounts.errors import TooManyAttempts

PREFIX = "drec:sign-in"
FIRST_DELAY = timedelta(seconds=2)
MEMORY = timedelta(days=1)
KNOWN_ADDRESS_MEMORY = timedelta(days=90)


@dataclass(frozen=True)
class Limit:
    """Failures that pass free, and the longest wait a failure after them can ask for."""

    scope: str
    free_failures: int
    ceiling: timedelta

    def delay(self, failures: int) -> timedelta:
        """The wait after the `failures`-th failure: none while free, then doubling up to the ceiling."""
        if failures < self.free_failures:
            return timedelta(0)
        doublings = min(failures - self.free_failures, 30)
        return min(FIRST_DELAY * 2**doublings, self.ceiling)


PAIR = Limit("pair", free_failures=3, ceiling=timedelta(minutes=15))
ADDRESS = Limit("address", free_failures=20, ceiling=timedelta(minutes=15))
ACCOUNT = Limit("account", free_failures=20, ceiling=timedelta(minutes=1))


@dataclass(frozen=True)
class LoginThrottle:
    redis: Redis
    now: datetime

    def check(self, email: str, address: str) -> None:
        """Refuse the attempt (before the password is even checked) while a wait is due."""
        counters = self._counters(email, address)
        if self.redis.sismember(self._known_key(email), address):
            counters.pop(ACCOUNT)
        wait = max((self._wait(limit, key) for limit, key in counters.items()), default=timedelta(0))
        if wait > timedelta(0):
            seconds = math.ceil(wait.total_seconds())
            raise TooManyAttempts(
                f"Too many failed sign-in attempts. Try again in {seconds} seconds, or reset your password.",
                retry_after_seconds=seconds,
            )

    def failed(self, email: str, address: str) -> None:
        with self.redis.pipeline() as pipe:
            for key in self._counters(email, address).values():
                pipe.hincrby(key, "failures", 1)
                pipe.hset(key, "last", self.now.timestamp())
                pipe.expire(key, int(MEMORY.total_seconds()))
            pipe.execute()

    def succeeded(self, email: str, address: str) -> None:
        known = self._known_key(email)
        with self.redis.pipeline() as pipe:
            pipe.delete(self._counters(email, address)[PAIR])
            pipe.sadd(known, address)
            pipe.expire(known, int(KNOWN_ADDRESS_MEMORY.total_seconds()))
            pipe.execute()

    def _wait(self, limit: Limit, key: str) -> timedelta:
        failures, last = self.redis.hmget(key, ["failures", "last"])
        if failures is None or last is None:
            return timedelta(0)
        due = datetime.fromtimestamp(float(last), self.now.tzinfo) + limit.delay(int(failures))
        return max(due - self.now, timedelta(0))

    def _counters(self, email: str, address: str) -> dict[Limit, str]:
        account = _account_hash(email)
        return {
            PAIR: f"{PREFIX}:pair:{account}:{address}",
            ADDRESS: f"{PREFIX}:address:{address}",
            ACCOUNT: f"{PREFIX}:account:{account}",
        }

    def _known_key(self, email: str) -> str:
        return f"{PREFIX}:known-addresses:{_account_hash(email)}"


def _account_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


MAX_EMAILS_PER_HOUR = 3


def may_send_email(redis: Redis, now: datetime, kind: str, email: str) -> bool:
    """At most a few link emails of one kind per address and hour, so nobody can flood a mailbox through us."""
    hour = int(now.timestamp() // 3600)
    key = f"drec:link-emails:{kind}:{_account_hash(email)}:{hour}"
    with redis.pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, 7200)
        count, _ = pipe.execute()
    return int(count) <= MAX_EMAILS_PER_HOUR
