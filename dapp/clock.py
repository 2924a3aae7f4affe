"""The platform's clock: real UTC time plus an offset that development and tests may set.

Every process (web, workers, scheduler, indexer) reads the offset from Redis, so moving the clock in a
test or with `drec clock set` moves it for all of them. Production refuses clock control (Settings).
"""

from datetime import UTC, datetime, timedelta

from redis import Redis

OFFSET_KEY = "drec:clock:offset-seconds"


class Clock:
    """Current time for the platform."""

    def __init__(self, redis: Redis | None) -> None:
        self._redis = redis

    def offset(self) -> timedelta:
        if self._redis is None:
            return timedelta(0)
        raw = self._redis.get(OFFSET_KEY)
        return timedelta(seconds=float(raw)) if raw else timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset()

    def set(self, instant: datetime) -> None:
        """Make `now()` return `instant` (and advance from there)."""
        self._require_control()
        delta = instant.astimezone(UTC) - datetime.now(UTC)
        self._redis.set(OFFSET_KEY, delta.total_seconds())  # type: ignore[union-attr]

    def reset(self) -> None:
        self._require_control()
        self._redis.delete(OFFSET_KEY)  # type: ignore[union-attr]

    def _require_control(self) -> None:
        if self._redis is None:
            raise RuntimeError("clock control is disabled")
