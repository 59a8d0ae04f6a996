"""The request rate limit on ``limits``: a moving window per client, in memory or shared through a real
redis-server, with a Retry-After that says when the oldest request of the window leaves it."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from assistant.api.rate_limits import RateLimited, RateLimiter
from assistant.settings import ApiSettings, RedisSettings


async def outcomes(limiter: RateLimiter, client: str, n: int) -> list[int]:
    """0 for each request let through, else its Retry-After."""
    seen = []
    for _ in range(n):
        try:
            await limiter.check(client)
            seen.append(0)
        except RateLimited as limited:
            seen.append(limited.retry_after)
    return seen


@pytest.fixture(params=["memory", "redis"])
def where(request: pytest.FixtureRequest) -> RedisSettings | None:
    return request.getfixturevalue("redis_settings") if request.param == "redis" else None


def test_a_burst_passes_then_the_client_waits_for_the_window(where: RedisSettings | None) -> None:
    limiter = RateLimiter(per_minute=60, burst=3, redis=where)
    assert limiter.window == 3 and limiter.shared == (where is not None)
    seen = asyncio.run(outcomes(limiter, "key:a", 5))
    assert seen[:3] == [0, 0, 0]
    assert all(1 <= wait <= 3 for wait in seen[3:])


def test_each_client_has_its_own_allowance(where: RedisSettings | None) -> None:
    limiter = RateLimiter(per_minute=60, burst=2, redis=where)

    async def both() -> tuple[list[int], list[int]]:
        return await outcomes(limiter, "key:a", 3), await outcomes(limiter, "ip:10.0.0.1", 2)

    first, second = asyncio.run(both())
    assert first[:2] == [0, 0] and first[2] >= 1 and second == [0, 0]


def test_two_limiters_on_one_redis_share_the_allowance(redis_settings: RedisSettings) -> None:
    one, two = (RateLimiter.from_settings(ApiSettings(rate_limit=60, rate_burst=2), redis_settings) for _ in "12")

    async def alternate() -> list[int]:
        return [*(await outcomes(one, "key:a", 1)), *(await outcomes(two, "key:a", 1)),
                *(await outcomes(one, "key:a", 1)), *(await outcomes(two, "key:a", 1))]  # fmt: skip

    seen = asyncio.run(alternate())  # one event loop: an asyncio client's connections belong to the loop
    assert seen[:2] == [0, 0] and all(wait >= 1 for wait in seen[2:])


def test_limiters_in_memory_do_not_share() -> None:
    one, two = RateLimiter(60, 1), RateLimiter(60, 1)
    assert asyncio.run(outcomes(one, "key:a", 2))[0] == 0
    assert asyncio.run(outcomes(two, "key:a", 1)) == [0]


def test_the_window_follows_rate_and_burst_and_zero_turns_it_off() -> None:
    assert RateLimiter(120, 30).window == 15
    assert RateLimiter(7, 30).window == 258  # 257.1 s, rounded up to whole seconds
    off = RateLimiter(0, 30)
    assert not off.enabled and asyncio.run(outcomes(off, "key:a", 50)) == [0] * 50


def test_an_unreachable_redis_lets_requests_through_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RateLimiter(60, 1, RedisSettings(url=f"unix://{tmp_path}/no-such.sock"))
    with caplog.at_level(logging.ERROR, logger="assistant.api"):
        assert asyncio.run(outcomes(limiter, "key:a", 3)) == [0, 0, 0]
    failures = [r for r in caplog.records if "rate limit storage" in r.getMessage()]
    assert len(failures) == 1 and "no-such.sock" in failures[0].getMessage()
