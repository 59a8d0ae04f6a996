"""Bot delivery ids seen: a bounded set in memory, or claimed in a real redis-server with SET NX and an expiry."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
import redis

from assistant.api.deliveries import Deliveries, MemoryDeliveries, RedisDeliveries, deliveries
from assistant.settings import RedisSettings


async def firsts(seen: Deliveries, ids: list[str]) -> list[bool]:
    return [await seen.first(delivery) for delivery in ids]


def test_in_memory_a_repeat_is_refused_and_the_set_stays_bounded() -> None:
    seen = MemoryDeliveries(ttl=3600, max_items=2)
    assert asyncio.run(firsts(seen, ["t:1", "t:1", "t:2"])) == [True, False, True]
    assert asyncio.run(firsts(seen, ["t:3"])) == [True] and len(seen) == 2
    assert asyncio.run(firsts(seen, ["t:1", "t:3"])) == [True, False]  # t:1 was the oldest and went


def test_without_a_url_deliveries_stay_in_memory() -> None:
    assert isinstance(deliveries(RedisSettings(), 60), MemoryDeliveries)
    assert isinstance(deliveries(None, 60), MemoryDeliveries)


def test_two_workers_on_one_redis_claim_each_id_once_and_it_expires(redis_settings: RedisSettings) -> None:
    async def two_workers() -> list[bool]:
        one, two = deliveries(redis_settings, 3600), deliveries(redis_settings, 3600)
        assert isinstance(one, RedisDeliveries) and isinstance(two, RedisDeliveries)
        claimed = [await one.first("telegram:9"), await two.first("telegram:9"), await two.first("telegram:10")]
        await one.aclose()
        await two.aclose()
        return claimed

    assert asyncio.run(two_workers()) == [True, False, True]
    client = redis.Redis.from_url(redis_settings.url)
    assert 0 < client.ttl(redis_settings.prefix + "delivery:telegram:9") <= 3600
    client.close()


def test_when_redis_fails_each_worker_still_refuses_its_own_repeats(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seen = RedisDeliveries(RedisSettings(url=f"unix://{tmp_path}/no-such.sock"), 60)
    with caplog.at_level(logging.ERROR, logger="assistant.api"):
        assert asyncio.run(firsts(seen, ["t:1", "t:1", "t:2"])) == [True, False, True]
    failures = [r.getMessage() for r in caplog.records if "delivery ids" in r.getMessage()]
    assert len(failures) == 1 and "no-such.sock" in failures[0]
