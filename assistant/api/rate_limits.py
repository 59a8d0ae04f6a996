"""The request rate limit per key or client address, on the ``limits`` library: a moving window in process memory,
or in Redis when ``redis.url`` is set, so that every worker of the service draws on the same allowance.

``rate_limit`` requests a minute with bursts of ``rate_burst`` become "at most ``rate_burst`` requests in any
``rate_burst × 60 / rate_limit`` seconds" (whole seconds, rounded up). Like the token bucket this replaces, a
client may send ``rate_burst`` requests at once and averages ``rate_limit`` a minute over time; unlike it, after a
burst the next request waits until the oldest of the burst leaves the window instead of a token refilling every
``60 / rate_limit`` seconds. A moving window rather than a fixed one, which would let twice the burst through
across a window boundary.

When Redis fails the request is let through (and the failure logged): an outage of the limiter does not become
an outage of the service. The limiter owns its Redis connection pool and closes it with ``aclose`` (the app does
at shutdown).
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from ..settings import ApiSettings, RedisSettings
from ..shared.redis_connection import COMMAND_TIMEOUT, CONNECT_TIMEOUT, limits_uri, redacted, require_redis

log = logging.getLogger("assistant.api")


class RateLimited(Exception):
    """A client over its request rate; ``retry_after`` is in whole seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class RateLimiter:
    """At most ``burst`` requests per client in any window of ``burst × 60 / per_minute`` seconds."""

    def __init__(self, per_minute: int, burst: int, redis: RedisSettings | None = None) -> None:
        self.enabled = per_minute > 0
        self.window = max(1, math.ceil(burst * 60 / per_minute)) if self.enabled else 0
        self.item = RateLimitItemPerSecond(burst, self.window, namespace="requests")
        self.shared = bool(redis and redis.url)
        self._where = redacted(redis.url) if redis and redis.url else "memory"
        self._pool: Any = _pool(redis) if redis and redis.url else None
        self._storage = _storage(redis, self._pool) if redis and redis.url else MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._failing = False

    @classmethod
    def from_settings(cls, api: ApiSettings, redis: RedisSettings | None = None) -> RateLimiter:
        """The limit the API settings describe, kept in Redis when one is configured."""
        return cls(api.rate_limit, api.rate_burst, redis)

    async def check(self, client: str) -> None:
        """Count one request for the client, or raise ``RateLimited`` with the seconds until one is allowed."""
        if not self.enabled:
            return
        try:
            if await self._limiter.hit(self.item, client):
                self._recovered()
                return
            stats = await self._limiter.get_window_stats(self.item, client)
        except Exception as error:  # the storage's own errors: Redis down, timed out, refused
            self._failed(error)
            return
        raise RateLimited(max(1, math.ceil(stats.reset_time - time.time())))

    async def aclose(self) -> None:
        """Release the Redis connections (nothing to do in memory)."""
        if self._pool is not None:
            await self._pool.aclose()

    def _failed(self, error: Exception) -> None:
        if not self._failing:
            log.error("rate limit storage %s failed (%s: %s); requests pass unlimited until it is back",
                      self._where, type(error).__name__, error)  # fmt: skip
        self._failing = True

    def _recovered(self) -> None:
        if self._failing:
            log.warning("rate limit storage %s is back; limits apply again", self._where)
        self._failing = False


def _pool(settings: RedisSettings) -> Any:
    """The asyncio connection pool the limiter's storage draws on."""
    redis = require_redis()
    options: dict[str, Any] = {
        "socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": COMMAND_TIMEOUT,
    }  # fmt: skip
    if settings.password is not None and settings.password.get_secret_value():
        options["password"] = settings.password.get_secret_value()
    return redis.asyncio.ConnectionPool.from_url(settings.url, **options)


def _storage(settings: RedisSettings, pool: Any) -> Storage:
    """The asyncio Redis storage of ``limits``, over redis-py and our pool, its keys under the configured prefix."""
    from limits.aio.storage import RedisStorage

    options: dict[str, Any] = {"connection_pool": pool}
    return RedisStorage(limits_uri(settings), implementation="redispy", key_prefix=settings.prefix + "limits",
                        **options)  # fmt: skip
