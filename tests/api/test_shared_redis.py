"""Two app instances (two create_app calls, as two workers would make) sharing one real redis-server, over real
HTTP: one rate-limit allowance per key, conversations continued on either, Telegram redeliveries answered once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from redis import Redis

from assistant.api.app import create_app
from assistant.settings import ApiSettings, RedisSettings, Settings
from tests.api.bot_servers import BotServer
from tests.api.live_server import live_server
from tests.api.test_bots import SECRET, TOKEN, sent_to, telegram, text_update, wait_for_chat
from tests.conftest import CORPUS
from tests.redis_server import RedisServer

RATE_KEY, TALK_KEY, OTHER_KEY = "key-for-the-rate-test", "key-for-the-conversation-test", "someone-else"
QUESTION = "가상융합산업 기본계획의 중점 방향은 몇 가지인가요?"
BURST = 5


@pytest.fixture(scope="module")
def stand_in() -> Iterator[BotServer]:
    with BotServer() as server:
        yield server


@pytest.fixture(scope="module")
def redis(redis_server: RedisServer) -> RedisSettings:
    return RedisSettings(url=redis_server.url, prefix=f"two-apps-{uuid.uuid4().hex[:8]}:")


@pytest.fixture(scope="module")
def workers(demo_index_dir: Path, redis: RedisSettings, stand_in: BotServer) -> Iterator[tuple[str, str]]:
    """Two apps over one index and one Redis (conversations default to Redis once its URL is set)."""
    settings = _settings(demo_index_dir, redis, stand_in)
    with live_server(create_app(settings)) as one, live_server(create_app(settings)) as two:
        yield one, two


def _settings(demo_index_dir: Path, redis: RedisSettings, stand_in: BotServer) -> Settings:
    return Settings(
        corpus_dir=CORPUS,
        index_dir=demo_index_dir,
        redis=redis,
        api=ApiSettings(
            api_keys=[SecretStr(RATE_KEY), SecretStr(TALK_KEY), SecretStr(OTHER_KEY)], rate_limit=60, rate_burst=BURST,
            telegram_secret=SecretStr(SECRET), telegram_token=SecretStr(TOKEN), telegram_api_base=stand_in.url,
        ),
    )  # fmt: skip


def test_the_rate_limit_allowance_is_shared_by_both_apps(workers: tuple[str, str]) -> None:
    headers = {"X-API-Key": RATE_KEY}
    statuses = [httpx.get(workers[i % 2] + "/v1/search", params={"q": "서울"}, headers=headers).status_code
                for i in range(BURST + 1)]  # fmt: skip
    assert statuses == [200] * BURST + [429]
    other = httpx.get(workers[1] + "/v1/search", params={"q": "서울"}, headers={"X-API-Key": TALK_KEY})
    assert other.status_code == 200  # each key has its own allowance


def test_a_conversation_started_on_one_app_continues_on_the_other(
    workers: tuple[str, str], redis: RedisSettings
) -> None:
    one, two = workers
    headers = {"X-API-Key": TALK_KEY}
    first = httpx.post(one + "/v1/answer", json={"question": QUESTION}, headers=headers, timeout=30)
    assert first.status_code == 200, first.text
    conversation = first.json()["conversation_id"]
    follow_up = {"question": "그 계획은 누가 세웠나요?", "conversation_id": conversation}
    second = httpx.post(two + "/v1/answer", json=follow_up, headers=headers, timeout=30)
    assert second.status_code == 200 and second.json()["conversation_id"] == conversation
    shown = httpx.get(f"{one}/v1/conversations/{conversation}", headers=headers).json()
    assert [turn["question"] for turn in shown["turns"]] == [QUESTION, follow_up["question"]]
    stranger = httpx.get(f"{two}/v1/conversations/{conversation}", headers={"X-API-Key": OTHER_KEY})
    assert stranger.status_code == 404  # the owner check holds on either app
    kept = Redis.from_url(redis.url, decode_responses=True)
    assert kept.llen(f"{redis.prefix}turns:{conversation}") == 2  # in Redis, not in a file beside either app
    kept.close()


def test_a_telegram_update_redelivered_to_the_other_app_is_answered_once(
    workers: tuple[str, str], stand_in: BotServer
) -> None:
    one, two = workers
    assert telegram(one, text_update(700, 7001, QUESTION)).json() == {"ok": True}
    assert telegram(two, text_update(700, 7001, QUESTION)).json() == {"ok": True, "ignored": "duplicate"}
    assert telegram(two, text_update(701, 7002, "/start")).json() == {"ok": True}
    wait_for_chat(stand_in, 7002)  # answered after the duplicate would have been
    wait_for_chat(stand_in, 7001)
    assert len(sent_to(stand_in, 7001)) == 1


def test_an_app_closes_its_redis_connections_when_it_stops(
    demo_index_dir: Path, redis: RedisSettings, stand_in: BotServer
) -> None:
    """Counted while the event loop still runs: a client left open would hold its connection until the loop ends."""
    watcher = Redis.from_url(redis.url, decode_responses=True)
    app = create_app(_settings(demo_index_dir, redis, stand_in))

    async def serve_then_stop() -> tuple[int, int]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://app", timeout=30) as client:
                searched = await client.get("/v1/search", params={"q": "서울"}, headers={"X-API-Key": OTHER_KEY})
                assert searched.status_code == 200  # through the rate limit
                update = text_update(800, 8001, "/start")
                secret = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                assert (await client.post("/v1/bots/telegram", json=update, headers=secret)).status_code == 200
            during = _connected(watcher)
        return during, _connected(watcher)

    before = _connected(watcher)
    during, after = asyncio.run(serve_then_stop())
    assert during >= before + 2  # the rate limit's and the delivery ids' connections at least
    assert after == before
    watcher.close()


def _connected(client: Redis) -> int:
    return int(client.info("clients")["connected_clients"])
