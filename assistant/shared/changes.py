"""The index change channel: a writer publishes "the index changed, its generation is now X" and every worker
subscribed through Redis hears it within moments and reloads.

    changes = RedisChanges(settings.redis)
    changes.publish("gen-000042")                    # after a write made a new generation current
    watch = changes.watch(lambda generation: live.refresh(), known="gen-000041")
    ...
    watch.stop()

Redis pub/sub delivers only to subscribers connected at that moment, so ``publish`` also stores the generation
under ``{prefix}index:generation``. A watcher reads it whenever it (re)subscribes, at start and after a lost
connection, and calls back when it differs from the last generation it knew: a worker that was disconnected
during a write still catches up. Callbacks run one at a time on the watcher's own thread and get each generation
once (repeats of the last one are skipped); they should be quick and idempotent (``LiveIndex.refresh()`` is).
The blocking redis-py client is used: publishing happens in the indexing worker threads, and a thread of its own
keeps the subscriber off the event loop.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from ..settings import RedisSettings
from .redis_connection import reachable, redacted, require_redis, sync_client

log = logging.getLogger("assistant.shared")

POLL = 0.5  # seconds a watcher waits for a message before looking at its stop flag
HEALTH_CHECK = 10  # seconds between pings on a quiet subscription, so a dead connection is noticed
MAX_BACKOFF = 5.0  # longest wait between reconnection attempts
CONFIRM_WITHIN = 5.0  # seconds Redis has to confirm a subscription


class RedisChanges:
    """Publisher and subscriber of index changes on ``{prefix}index:changes``."""

    def __init__(self, settings: RedisSettings | str) -> None:
        self.settings = settings if isinstance(settings, RedisSettings) else RedisSettings(url=settings)
        self.channel = self.settings.prefix + "index:changes"
        self.latest_key = self.settings.prefix + "index:generation"
        self._client: Any = sync_client(self.settings, health_check_interval=HEALTH_CHECK)

    def publish(self, generation: str) -> int:
        """Record ``generation`` as current and announce it; the number of watchers that heard it."""
        with reachable(self.settings):
            pipe = self._client.pipeline(transaction=True)
            pipe.set(self.latest_key, generation)
            pipe.publish(self.channel, generation)
            _, receivers = pipe.execute()
        return int(receivers)

    def latest(self) -> str | None:
        """The generation last published, if any."""
        with reachable(self.settings):
            found: str | None = self._client.get(self.latest_key)
        return found

    def watch(self, callback: Callable[[str], object], known: str | None = None) -> Watch:
        """Call ``callback(generation)`` on a thread of its own for every change from now on (and at once if the
        last published generation is not ``known``); subscribed before this returns. Stop it with ``.stop()``."""
        watch = Watch(self, callback, known)
        watch._subscribe()  # a Redis that cannot be reached fails here, in the caller, with what to fix
        watch._thread.start()
        return watch

    def close(self) -> None:
        """Release the publisher's connections (watchers have their own)."""
        self._client.close()


class Watch:
    """A running subscription; ``stop()`` ends it (also as a context manager)."""

    def __init__(self, changes: RedisChanges, callback: Callable[[str], object], known: str | None) -> None:
        self._changes = changes
        self._callback = callback
        self._last = known
        self._stopped = threading.Event()
        self._pubsub: Any = None
        self._caught_up = False
        self._thread = threading.Thread(target=self._run, name="index-changes", daemon=True)

    @property
    def running(self) -> bool:
        """Whether the watcher thread is alive."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Unsubscribe and end the thread (waits up to ``timeout`` seconds for a callback in progress)."""
        self._stopped.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _subscribe(self) -> None:
        settings = self._changes.settings
        with reachable(settings):
            pubsub = self._changes._client.pubsub()
            pubsub.subscribe(self._changes.channel)
            # wait for Redis to confirm, so that a publish right after watch() returns is heard
            for _ in range(int(CONFIRM_WITHIN / POLL)):
                reply = pubsub.get_message(timeout=POLL)
                if reply is not None and reply.get("type") == "subscribe":
                    break
            else:
                pubsub.close()
                raise require_redis().TimeoutError(f"no confirmation of SUBSCRIBE within {CONFIRM_WITHIN:.0f} s")
            self._pubsub = pubsub
            self._caught_up = False

    def _run(self) -> None:
        errors = require_redis().RedisError
        backoff = POLL
        while not self._stopped.is_set():
            try:
                if self._pubsub is None:
                    self._subscribe()
                    log.warning("index changes: subscribed again to Redis at %s", redacted(self._changes.settings.url))
                if not self._caught_up:
                    latest = self._changes._client.get(self._changes.latest_key)
                    self._caught_up = True
                    if latest is not None:
                        self._deliver(latest)
                message = self._pubsub.get_message(timeout=POLL)
                backoff = POLL
            except (errors, OSError) as error:
                self._drop(error)
                self._stopped.wait(backoff)
                backoff = min(MAX_BACKOFF, backoff * 2)
                continue
            if message is not None and message.get("type") == "message":
                self._deliver(message["data"])
        self._unsubscribe()

    def _deliver(self, generation: str) -> None:
        if generation == self._last:
            return
        self._last = generation
        try:
            self._callback(generation)
        except Exception:
            log.exception("index changes: the callback failed for generation %s", generation)

    def _unsubscribe(self) -> None:
        """Leave the channel and wait for Redis to confirm, so that once ``stop()`` returns nothing is delivered."""
        pubsub = self._pubsub
        if pubsub is not None:
            with contextlib.suppress(require_redis().RedisError, OSError):  # gone already: nothing left to leave
                pubsub.unsubscribe()
                for _ in range(int(CONFIRM_WITHIN / POLL)):
                    reply = pubsub.get_message(timeout=POLL)
                    if reply is not None and reply.get("type") == "unsubscribe":
                        break
        self._drop(None)

    def _drop(self, error: Exception | None) -> None:
        """Forget the subscription (logging why, unless stopping)."""
        if error is not None and self._pubsub is not None:
            log.error("index changes: lost Redis at %s (%s: %s); reconnecting",
                      redacted(self._changes.settings.url), type(error).__name__, error)  # fmt: skip
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):  # the connection is already gone
                pubsub.close()


class RedisChangeFeed:
    """The index ``ChangeFeed`` (``indexing/changes.py``) over this channel: every write is announced to the
    other workers at once, and each worker's ``refresh`` runs when a write elsewhere is announced."""

    def __init__(self, settings: RedisSettings, known: Callable[[], str | None]) -> None:
        self.changes = RedisChanges(settings)
        self._known = known  # the generation served now, so that a watcher starting late catches up at once
        self._watch: Watch | None = None

    def start(self, on_change: Callable[[], object]) -> None:
        """Subscribe; ``on_change`` runs on the watcher's thread for every generation announced from now on."""
        if self._watch is not None:
            raise RuntimeError("This RedisChangeFeed has been started already.")
        self._watch = self.changes.watch(lambda generation: on_change(), known=self._known())

    def announce(self, generation: str) -> None:
        """Tell the other workers; a Redis outage is logged, not raised (they still refresh before each request)."""
        try:
            self.changes.publish(generation)
        except Exception as error:  # the write is done and served here; only the notice is late
            log.error("index changes: could not announce generation %s (%s: %s)",
                      generation, type(error).__name__, error)  # fmt: skip

    def close(self) -> None:
        """Stop watching and release the connections."""
        if self._watch is not None:
            self._watch.stop()
        self.changes.close()
