"""Rate limits on failed sign-ins (R-ACC-3), per account and per client address, counted in Redis.

Failures are counted in fixed windows of the platform clock (so tests and demos can move past a lock).
The account key is a hash of the normalised email whether or not such an account exists, so a lock says
nothing about which emails are registered. A successful sign-in clears the account's count.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis

from dapp.accounts.errors import TooManyAttempts

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
PREFIX = "drec:sign-in-failures"


@dataclass(frozen=True)
class LoginThrottle:
    redis: Redis
    now: datetime

    def check(self, email: str, address: str) -> None:
        """Refuse the attempt (before the password is even checked) while either limit is reached."""
        keys = self._keys(email, address)
        account, client = (int(value or 0) for value in self.redis.mget(keys))
        if account >= MAX_FAILURES_PER_ACCOUNT or client >= MAX_FAILURES_PER_ADDRESS:
            minutes = max(1, int(self._window_left().total_seconds() // 60))
            raise TooManyAttempts(
                f"Too many failed sign-in attempts. Try again in {minutes} minutes, or reset your password."
            )

    def failed(self, email: str, address: str) -> None:
        with self.redis.pipeline() as pipe:
            for key in self._keys(email, address):
                pipe.incr(key)
                pipe.expire(key, int(2 * WINDOW.total_seconds()))
            pipe.execute()

    def succeeded(self, email: str, address: str) -> None:
        self.redis.delete(self._keys(email, address)[0])

    def _keys(self, email: str, address: str) -> list[str]:
        window = int(self.now.timestamp() // WINDOW.total_seconds())
        account = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return [f"{PREFIX}:account:{account}:{window}", f"{PREFIX}:address:{address}:{window}"]

    def _window_left(self) -> timedelta:
        seconds = WINDOW.total_seconds()
        return timedelta(seconds=seconds - self.now.timestamp() % seconds)


MAX_EMAILS_PER_HOUR = 3


def may_send_email(redis: Redis, now: datetime, kind: str, email: str) -> bool:
    """At most a few link emails of one kind per address and hour, so nobody can flood a mailbox through us."""
    hour = int(now.timestamp() // 3600)
    key = f"drec:link-emails:{kind}:{hashlib.sha256(email.strip().lower().encode()).hexdigest()}:{hour}"
    with redis.pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, 7200)
        count, _ = pipe.execute()
    return int(count) <= MAX_EMAILS_PER_HOUR
