"""Redis clients made from ``RedisSettings``, and Redis failures turned into errors that say what to do.

redis-py's blocking client serves the synchronous contracts (conversation stores run in worker threads, the change
channel in a thread of its own); its asyncio client serves code on the event loop (bot routes, rate limits).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import MissingDependencyError, RedisUnavailableError
from ..settings import RedisSettings

if TYPE_CHECKING:
    import redis
    import redis.asyncio

CONNECT_TIMEOUT = 2.0  # seconds to open a connection
COMMAND_TIMEOUT = 5.0  # seconds to wait for a reply


def require_redis() -> ModuleType:
    """The redis-py package, or an error naming the extra that installs it."""
    try:
        import redis
    except ModuleNotFoundError as error:
        raise MissingDependencyError("redis", "redis", "Sharing state through Redis (ASSISTANT_REDIS__URL)") from error
    return redis


def redacted(url: str) -> str:
    """The URL without a password in it, fit for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _options(settings: RedisSettings) -> dict[str, Any]:
    if not settings.url:
        raise RedisUnavailableError("No Redis is configured. Set ASSISTANT_REDIS__URL (redis://host:port/0 or "
                                    "unix:///path/to/redis.sock).")  # fmt: skip
    options: dict[str, Any] = {
        "decode_responses": True, "socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": COMMAND_TIMEOUT,
    }  # fmt: skip
    if settings.password is not None and settings.password.get_secret_value():
        options["password"] = settings.password.get_secret_value()
    return options


def sync_client(settings: RedisSettings, **extra: Any) -> redis.Redis:
    """A blocking client (thread-safe: it draws connections from its own pool); ``extra`` goes to redis-py."""
    client: redis.Redis = require_redis().Redis.from_url(settings.url, **{**_options(settings), **extra})
    return client


def async_client(settings: RedisSettings) -> redis.asyncio.Redis:
    """An asyncio client; its connections belong to the event loop that first uses them."""
    require_redis()
    import redis.asyncio

    return redis.asyncio.Redis.from_url(settings.url, **_options(settings))


def unavailable(settings: RedisSettings, error: Exception) -> RedisUnavailableError:
    """The error for a Redis command that failed: which Redis, why, and what to check."""
    said = str(error).rstrip(". ") or type(error).__name__
    return RedisUnavailableError(
        f"Redis at {redacted(settings.url)} failed: {said}. Start Redis there, or fix "
        "ASSISTANT_REDIS__URL (and ASSISTANT_REDIS__PASSWORD)."
    )


@contextmanager
def reachable(settings: RedisSettings) -> Iterator[None]:
    """Turn redis-py's errors inside the block into ``RedisUnavailableError``."""
    redis = require_redis()
    try:
        yield
    except redis.RedisError as error:
        raise unavailable(settings, error) from error


def check_reachable(settings: RedisSettings) -> None:
    """When a Redis is configured, make sure it answers (raises ``RedisUnavailableError`` saying what to fix)."""
    if not settings.url:
        return
    client = sync_client(settings)
    try:
        with reachable(settings):
            client.ping()
    finally:
        client.close()


def limits_uri(settings: RedisSettings) -> str:
    """The URL in the form the ``limits`` library's asyncio Redis storage takes."""
    url = settings.url
    if url.startswith("unix://"):
        return "async+redis+unix://" + url.removeprefix("unix://")
    return "async+" + url
