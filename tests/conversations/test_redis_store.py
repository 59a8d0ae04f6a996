"""The Redis conversation store beyond the shared contract: chosen by 'auto', shared by two processes' worth of
stores, and clear errors when Redis is missing or down (a real redis-server throughout)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant.conversations.base import create_store
from assistant.conversations.redis import RedisConversationStore
from assistant.conversations.sqlite import SQLiteConversationStore
from assistant.errors import ConfigurationError, RedisUnavailableError
from assistant.settings import ConversationSettings, RedisSettings, Settings
from tests.conversations.test_stores import turn


def test_auto_means_redis_when_a_redis_url_is_set_and_sqlite_otherwise(
    redis_settings: RedisSettings, tmp_path: Path
) -> None:
    settings = ConversationSettings(path=tmp_path / "c.sqlite3")
    assert settings.backend == "auto"
    chosen = [create_store(settings, redis) for redis in (redis_settings, RedisSettings(), None)]
    assert [type(store) for store in chosen] == [RedisConversationStore, SQLiteConversationStore,
                                                 SQLiteConversationStore]  # fmt: skip
    for store in chosen:
        store.close()
    explicit = create_store(ConversationSettings(backend="sqlite", path=tmp_path / "c.sqlite3"), redis_settings)
    assert isinstance(explicit, SQLiteConversationStore)
    explicit.close()


def test_the_environment_picks_redis(redis_settings: RedisSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_REDIS__URL", redis_settings.url)
    monkeypatch.setenv("ASSISTANT_REDIS__PREFIX", redis_settings.prefix)
    settings = Settings()
    store = create_store(settings.conversations, settings.redis)
    assert isinstance(store, RedisConversationStore)
    store.close()


def test_two_stores_on_one_redis_share_conversations_and_keep_every_turn(redis_settings: RedisSettings) -> None:
    settings = ConversationSettings(backend="redis", max_turns=50)
    first, second = create_store(settings, redis_settings), create_store(settings, redis_settings)
    first.append("shared", turn(0), user="web:a", owner="key:a")
    threads = [threading.Thread(target=(first, second)[i % 2].append, args=("shared", turn(i), None, "key:a"))
               for i in range(1, 21)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(t.question for t in second.turns("shared")) == sorted(f"질문 {i}" for i in range(21))
    assert [(s.id, s.turns, s.user) for s in second.list(owner="key:a")] == [("shared", 21, "web:a")]
    assert second.delete("shared") and not first.exists("shared") and first.list() == []
    first.close()
    second.close()


def test_the_redis_store_without_a_url_names_the_setting() -> None:
    with pytest.raises(ConfigurationError, match="ASSISTANT_REDIS__URL"):
        create_store(ConversationSettings(backend="redis"), RedisSettings())


def test_an_unreachable_redis_says_which_and_what_to_fix(tmp_path: Path) -> None:
    nowhere = RedisSettings(url=f"unix://{tmp_path}/no-such.sock")
    with pytest.raises(RedisUnavailableError, match="ASSISTANT_REDIS__URL") as caught:
        create_store(ConversationSettings(backend="redis"), nowhere)
    assert "no-such.sock" in str(caught.value) and caught.value.status_code == 503


def test_a_redis_url_must_name_a_known_scheme() -> None:
    with pytest.raises(ValueError, match="redis://, rediss:// or unix://"):
        RedisSettings(url="localhost:6379")
    assert RedisSettings(url=" redis://localhost:6379/0 ").url == "redis://localhost:6379/0"
