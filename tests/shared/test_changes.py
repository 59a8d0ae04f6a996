"""The index change channel over a real redis-server: publish, watch, catch up after a lost connection, stop."""

from __future__ import annotations

import logging
import queue
from pathlib import Path

import pytest
import redis

from assistant.errors import RedisUnavailableError
from assistant.settings import RedisSettings
from assistant.shared.changes import RedisChanges

WAIT = 10.0  # seconds to wait for a change that must arrive (a bound for a stuck test, not a speed check)


def heard(into: queue.Queue[str]) -> str:
    return into.get(timeout=WAIT)


def test_a_published_generation_reaches_every_watcher(redis_settings: RedisSettings) -> None:
    changes = RedisChanges(redis_settings)
    first: queue.Queue[str] = queue.Queue()
    second: queue.Queue[str] = queue.Queue()
    with changes.watch(first.put), changes.watch(second.put):
        assert changes.publish("gen-000002") == 2
        assert heard(first) == "gen-000002" and heard(second) == "gen-000002"
        assert changes.latest() == "gen-000002"
    changes.close()


def test_a_watcher_catches_up_with_what_was_published_before_it_started(redis_settings: RedisSettings) -> None:
    changes = RedisChanges(redis_settings)
    assert changes.publish("gen-000005") == 0
    missed: queue.Queue[str] = queue.Queue()
    up_to_date: queue.Queue[str] = queue.Queue()
    with changes.watch(missed.put, known="gen-000004"), changes.watch(up_to_date.put, known="gen-000005"):
        assert heard(missed) == "gen-000005"
        changes.publish("gen-000006")
        assert heard(up_to_date) == "gen-000006"  # nothing before it: it already had gen-000005
        assert heard(missed) == "gen-000006"
    changes.close()


def test_a_watcher_that_lost_its_connection_reconnects_and_catches_up(
    redis_settings: RedisSettings, caplog: pytest.LogCaptureFixture
) -> None:
    changes = RedisChanges(redis_settings)
    got: queue.Queue[str] = queue.Queue()
    admin = redis.Redis.from_url(redis_settings.url)
    with caplog.at_level(logging.WARNING, logger="assistant.shared"), changes.watch(got.put) as watch:
        assert admin.client_kill_filter(_type="pubsub") >= 1
        changes.publish("gen-000010")  # heard live, or read back after subscribing again
        assert heard(got) == "gen-000010"
        assert watch.running
    admin.close()
    changes.close()
    assert any("lost Redis" in r.getMessage() for r in caplog.records)


def test_a_failing_callback_does_not_stop_the_watcher(redis_settings: RedisSettings) -> None:
    changes = RedisChanges(redis_settings)
    got: queue.Queue[str] = queue.Queue()

    def callback(generation: str) -> None:
        got.put(generation)
        if generation == "gen-1":
            raise RuntimeError("refresh failed")

    with changes.watch(callback):
        changes.publish("gen-1")
        assert heard(got) == "gen-1"
        changes.publish("gen-2")
        assert heard(got) == "gen-2"
    changes.close()


def test_a_stopped_watcher_unsubscribes_and_its_thread_ends(redis_settings: RedisSettings) -> None:
    changes = RedisChanges(redis_settings)
    watch = changes.watch(lambda generation: None)
    assert changes.publish("gen-1") == 1
    watch.stop()
    assert not watch.running and changes.publish("gen-2") == 0  # Redis confirmed the unsubscribe before stop()
    changes.close()


def test_a_plain_url_is_enough(redis_settings: RedisSettings) -> None:
    changes = RedisChanges(redis_settings.url)
    assert changes.channel == "assistant:index:changes" and changes.settings.url == redis_settings.url
    changes.close()


def test_watching_an_unreachable_redis_says_what_to_fix(tmp_path: Path) -> None:
    changes = RedisChanges(RedisSettings(url=f"unix://{tmp_path}/no-such.sock"))
    with pytest.raises(RedisUnavailableError, match="ASSISTANT_REDIS__URL"):
        changes.watch(lambda generation: None)
    with pytest.raises(RedisUnavailableError):
        changes.publish("gen-1")
