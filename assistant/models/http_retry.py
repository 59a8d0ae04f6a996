"""Retries with exponential backoff and jitter for streamed calls to model servers, and ``Retry-After`` parsing.

An attempt signals a failure that a later attempt may not meet by raising ``RetryableError`` around the
``ModelError`` to raise when the retries run out. Once an attempt has yielded anything, nothing is retried:
the reader has already seen part of an answer.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from ..errors import ModelError
from ..settings import ModelSettings

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait before trying a failed call again."""

    max_retries: int = 2
    backoff: float = 0.5
    max_backoff: float = 8.0

    @classmethod
    def from_settings(cls, settings: ModelSettings) -> RetryPolicy:
        """The policy the model settings describe."""
        return cls(settings.max_retries, settings.backoff, settings.max_backoff)

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds before retry ``retry`` (from 0): the server's ``Retry-After``, else jittered backoff; capped."""
        if retry_after is not None:
            return max(0.0, min(retry_after, self.max_backoff))
        ceiling = min(self.backoff * 2**retry, self.max_backoff)
        return ceiling / 2 + random.uniform(0, ceiling / 2)


class RetryableError(Exception):
    """An attempt failed in a way a later one may not; internal to the backends, it never leaves ``with_retries``."""

    def __init__(self, error: ModelError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date); ``None`` if absent or bad."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


async def with_retries(
    attempt: Callable[[], AsyncGenerator[T, None]],
    policy: RetryPolicy,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncIterator[T]:
    """Yield what ``attempt()`` yields, starting it again on ``RetryableError`` until it has yielded something."""
    retry = 0
    while True:
        yielded = False
        try:
            async with aclosing(attempt()) as items:
                async for item in items:
                    yielded = True
                    yield item
            return
        except RetryableError as failure:
            if yielded or retry >= policy.max_retries:
                raise failure.error from failure.__cause__
            wait = policy.delay(retry, failure.retry_after)
            retry += 1
            log.warning("%s Retrying in %.2f s (%d of %d).", failure.error, wait, retry, policy.max_retries)
            await sleep(wait)
