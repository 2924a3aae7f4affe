"""The services one process uses, built once from Settings: database, Redis, clock, queues, content store."""

from dataclasses import dataclass
from functools import cached_property

from redis import Redis
from rq import Queue

import dapp.models  # noqa: F401 - every mapper registered, whichever feature a worker imports first
from dapp.clock import Clock
from dapp.db import Database
from dapp.ipfs import ContentStore, content_store_from_settings
from dapp.settings import Settings

QUEUE_NAMES = ("default", "chain", "bulk")


@dataclass
class Platform:
    settings: Settings

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.database_url)

    @cached_property
    def redis(self) -> Redis:
        return Redis.from_url(self.settings.redis_url)

    @cached_property
    def clock(self) -> Clock:
        return Clock(self.redis if self.settings.allow_clock_control else None)

    @cached_property
    def content(self) -> ContentStore:
        return content_store_from_settings(self.settings.ipfs_api_url, self.settings.ipfs_dir)

    def queue(self, name: str = "default") -> Queue:
        return Queue(name, connection=self.redis)


_current: Platform | None = None


def install(platform: Platform) -> Platform:
    """Make `platform` the one `current()` returns (web app factory, worker start, tests)."""
    global _current
    _current = platform
    return platform


def current() -> Platform:
    """The process's platform; built from the environment on first use (RQ worker processes)."""
    if _current is None:
        settings = Settings()
        settings.check_production_safety()
        return install(Platform(settings))
    return _current
