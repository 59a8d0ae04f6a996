"""The default change feed: it calls back when another writer moves ``CURRENT``, and only then."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from assistant.indexing.changes import ChangeFeed, PointerPoll
from tests.indexing.test_storage import publish


def test_the_pointer_poll_calls_back_when_current_moves_and_stops_when_closed(tmp_path: Path) -> None:
    root = tmp_path / "index"
    publish(root)
    calls: list[float] = []
    called = threading.Event()
    feed = PointerPoll(root, seconds=0.01)
    assert isinstance(feed, ChangeFeed)

    def on_change() -> None:
        calls.append(time.monotonic())
        called.set()

    feed.start(on_change)
    try:
        time.sleep(0.2)  # some twenty polls of an unchanged pointer
        assert calls == []
        feed.announce("gen-anything")  # polling has nothing to send
        publish(root)
        assert called.wait(30), "the move of CURRENT was never noticed"
        assert len(calls) == 1
    finally:
        feed.close()
    feed.close()  # twice is harmless
    publish(root)
    time.sleep(0.2)
    assert len(calls) == 1  # closed: no more calls
