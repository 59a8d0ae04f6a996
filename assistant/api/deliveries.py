"""Bot deliveries already seen, by their ids (Telegram's ``update_id``), so a redelivered update is acknowledged
without being answered twice.

With Redis, every worker checks the same set: ``SET {prefix}delivery:{id} 1 NX EX ttl`` claims an id atomically and
expires it after ``ttl`` seconds. Without Redis, a bounded set in process memory (the oldest ids go first). When
Redis fails, the ids fall back to process memory for that call (and the failure is logged once): a duplicate that
lands on another worker may then be answered twice, but no update is dropped.

KakaoTalk skill requests carry no delivery id: ``bot.id``, ``intent.id``, ``action.id`` and ``userRequest.block.id``
name the bot, block and skill, the same on every request, and ``userRequest.user.id`` names the user. The Kakao route
therefore shares the first answer among repeats of the same question from the same user in one process instead
(``bots_kakao.py``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from ..settings import RedisSettings
from ..shared.redis_connection import async_client, redacted, require_redis
from .bot_replies import RecentRequests

if TYPE_CHECKING:
    import redis.asyncio

log = logging.getLogger("assistant.api")


class Deliveries(Protocol):
    """Remembers delivery ids for a while."""

    async def first(self, delivery: str) -> bool:
        """True the first time ``delivery`` is seen within the window; False for a redelivery."""
        ...

    async def aclose(self) -> None:
        """Release what the memory holds open (Redis connections)."""
        ...


class MemoryDeliveries:
    """Delivery ids seen in the last ``ttl`` seconds by this process, at most ``max_items`` of them."""

    def __init__(self, ttl: float, max_items: int = 10_000) -> None:
        self._seen: RecentRequests[bool] = RecentRequests(ttl, max_items)

    async def first(self, delivery: str) -> bool:
        """True the first time within the window."""
        return self._seen.add(delivery)

    async def aclose(self) -> None:
        """Nothing to release."""

    def __len__(self) -> int:
        return len(self._seen)


class RedisDeliveries:
    """Delivery ids claimed in Redis with ``SET NX EX``, seen by every worker."""

    def __init__(self, settings: RedisSettings, ttl: float) -> None:
        self.ttl = max(1, round(ttl))
        self._prefix = settings.prefix + "delivery:"
        self._where = redacted(settings.url)
        self._client: redis.asyncio.Redis = async_client(settings)
        self._errors = require_redis().RedisError
        self._fallback = MemoryDeliveries(ttl)
        self._failing = False

    async def first(self, delivery: str) -> bool:
        """True when this call claimed the id (no worker saw it within the window)."""
        try:
            claimed = await self._client.set(self._prefix + delivery, "1", nx=True, ex=self.ttl)
        except self._errors as error:
            if not self._failing:
                log.error("delivery ids: Redis at %s failed (%s: %s); each worker remembers its own until it is "
                          "back", self._where, type(error).__name__, error)  # fmt: skip
            self._failing = True
            return await self._fallback.first(delivery)
        if self._failing:
            log.warning("delivery ids: Redis at %s is back", self._where)
            self._failing = False
        return bool(claimed)

    async def aclose(self) -> None:
        """Release the connections."""
        await self._client.aclose()


def deliveries(redis: RedisSettings | None, ttl: float) -> Deliveries:
    """Shared through Redis when a URL is set, else this process's memory."""
    if redis is not None and redis.url:
        return RedisDeliveries(redis, ttl)
    return MemoryDeliveries(ttl)
