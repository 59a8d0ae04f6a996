"""Retries with exponential backoff and jitter for calls to model servers (tenacity), and ``Retry-After`` parsing.

An attempt signals a failure that a later attempt may not meet by raising ``RetryableError`` around the
``ModelError`` to raise when the retries run out. Once an attempt has yielded anything, nothing is retried:
the reader has already seen part of an answer. The first-token and total timeouts (``GuardedModel``) and the
circuit breaker sit outside, so the retries happen within them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random_exponential,
)

from ..errors import ModelError
from ..settings import ModelSettings

log = logging.getLogger(__name__)

T = TypeVar("T")
_NOTHING: Any = object()


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

    def tenacity_options(self, retry_on: type[Exception]) -> dict[str, Any]:
        """Keyword arguments for tenacity's ``Retrying``/``AsyncRetrying``: retry ``retry_on`` failures up to
        ``max_retries`` times, waiting the server's ``Retry-After`` (the failure's ``retry_after``) or the backoff."""
        # "Equal jitter": half of the doubling, capped ceiling is fixed and the other half random, so waits never
        # collapse to zero and clients that failed together do not retry together.
        half, half_cap = self.backoff / 2, self.max_backoff / 2
        backoff = wait_exponential(multiplier=half, max=half_cap) + wait_random_exponential(
            multiplier=half, max=half_cap
        )
        return {
            "stop": stop_after_attempt(self.max_retries + 1),
            "wait": lambda state: _wait(state, backoff, self.max_backoff),
            "retry": retry_if_exception_type(retry_on),
            "before_sleep": self._log,
            "reraise": True,
        }

    def _log(self, state: RetryCallState) -> None:
        error = getattr(state.outcome.exception() if state.outcome else None, "error", "")
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("%s Retrying in %.2f s (%d of %d).", error, wait, state.attempt_number, self.max_retries)


def _wait(state: RetryCallState, backoff: Callable[[RetryCallState], float], cap: float) -> float:
    """The wait the failure carries (a server's ``Retry-After``), capped; else the backoff."""
    asked = getattr(state.outcome.exception() if state.outcome else None, "retry_after", None)
    return backoff(state) if asked is None else max(0.0, min(float(asked), cap))


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
    retrying = AsyncRetrying(sleep=sleep, **policy.tenacity_options(RetryableError))
    items: AsyncGenerator[T, None]
    first: T
    try:
        items, first = await retrying(_first_item, attempt)
    except RetryableError as failure:
        raise failure.error from failure.__cause__
    if first is _NOTHING:
        return
    async with aclosing(items):
        yield first
        try:
            async for item in items:
                yield item
        except RetryableError as failure:  # after text was seen: not retried
            raise failure.error from failure.__cause__


async def _first_item(attempt: Callable[[], AsyncGenerator[T, None]]) -> tuple[AsyncGenerator[T, None], T]:
    """A fresh attempt and its first item (``_NOTHING`` when it ends at once); one tenacity attempt."""
    items = attempt()
    try:
        return items, await anext(items)
    except StopAsyncIteration:
        return items, _NOTHING
    except BaseException:
        await items.aclose()
        raise
