"""How a serving process learns that another process wrote a new index generation.

The contract, ``ChangeFeed``: ``start(on_change)`` begins calling ``on_change`` whenever the index may have
changed; ``announce(generation)`` is called by this process right after it published a generation (a feed
that pushes notices to the other processes, such as a Redis channel, sends it on; polling needs nothing);
``close()`` stops. ``on_change`` is ``LiveIndex.refresh``, which reloads only when ``CURRENT`` names another
generation than the one served, so a spurious or repeated notice costs one small file read.

``PointerPoll``, the default, reads the ``CURRENT`` pointer from a daemon thread a few times a second.
Serving processes also call ``refresh`` before each request (``api.service``), so a request that follows
a finished write, on any worker, sees it even before the feed's notice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..settings import Settings
from .storage import current_name

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25


@runtime_checkable
class ChangeFeed(Protocol):
    """Tells a serving process that the index may have changed."""

    def start(self, on_change: Callable[[], object]) -> None:
        """Begin calling ``on_change`` (from any thread) whenever the index may have changed."""

    def announce(self, generation: str) -> None:
        """This process has just made ``generation`` current: tell the others, if this feed pushes notices."""

    def close(self) -> None:
        """Stop; ``on_change`` is not called afterwards. Closing twice is harmless."""


class PointerPoll:
    """Polls the index folder's ``CURRENT`` pointer from a daemon thread and calls back when it changes."""

    def __init__(self, root: Path, seconds: float = POLL_SECONDS) -> None:
        self.root = root
        self.seconds = seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, on_change: Callable[[], object]) -> None:
        """Start the polling thread."""
        if self._thread is not None:
            raise RuntimeError("This PointerPoll has been started already.")
        seen = current_name(self.root)

        def poll() -> None:
            nonlocal seen
            while not self._stop.wait(self.seconds):
                now = current_name(self.root)
                if now == seen:
                    continue
                seen = now
                try:
                    on_change()
                except Exception:
                    log.exception("reloading the index after a change in %s failed", self.root)

        self._thread = threading.Thread(target=poll, name="index-change-poll", daemon=True)
        self._thread.start()

    def announce(self, generation: str) -> None:
        """Nothing to send: the other processes poll the same pointer."""

    def close(self) -> None:
        """Stop the polling thread."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)


class Feeds:
    """Several feeds as one: each is started, told of this process's writes and closed."""

    def __init__(self, *feeds: ChangeFeed) -> None:
        self.feeds = feeds

    def start(self, on_change: Callable[[], object]) -> None:
        """Start every feed with the same callback."""
        for feed in self.feeds:
            feed.start(on_change)

    def announce(self, generation: str) -> None:
        """Pass the notice to every feed."""
        for feed in self.feeds:
            feed.announce(generation)

    def close(self) -> None:
        """Close every feed."""
        for feed in self.feeds:
            feed.close()


def change_feed(settings: Settings) -> ChangeFeed:
    """The feed the settings call for: polling the index folder's ``CURRENT`` pointer, and with ``redis.url``
    also the Redis channel, on which every write by a server is announced to all workers at once (the poll
    still catches writes by processes that announce nothing, such as ``assistant index add``)."""
    poll = PointerPoll(settings.index_dir)
    if not settings.redis.url:
        return poll
    from ..shared.changes import RedisChangeFeed

    return Feeds(poll, RedisChangeFeed(settings.redis, known=lambda: current_name(settings.index_dir)))
