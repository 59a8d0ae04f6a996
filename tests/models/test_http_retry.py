"""Backoff, Retry-After parsing, the retry loop, and HTTP statuses mapped onto the error tree."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime

import pytest

from assistant.errors import (
    ModelAuthError,
    ModelQuotaError,
    ModelRateLimitError,
    ModelResponseError,
    ModelUnavailableError,
)
from assistant.models.http_client import error_for_status, server_message
from assistant.models.http_retry import RetryableError, RetryPolicy, parse_retry_after, with_retries

SERVER = "The model server"


def test_retry_after_parses_seconds_and_http_dates() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after(" 0.5 ", now) == 0.5
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:07 GMT", now) == 7.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None) is None and parse_retry_after("") is None


def run_retries(
    outcomes: list[str], policy: RetryPolicy, retry_after: float | None = 0.25
) -> tuple[list[str], list[float], int]:
    """Drive ``with_retries`` over attempts that yield text or fail as ``outcomes`` says, without sleeping."""
    waits: list[float] = []
    calls = 0

    async def attempt() -> AsyncGenerator[str, None]:
        nonlocal calls
        outcome = outcomes[min(calls, len(outcomes) - 1)]
        calls += 1
        for part in outcome.split("+"):
            if part == "fail":
                raise RetryableError(ModelUnavailableError("down"), retry_after=retry_after)
            yield part

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def collect() -> list[str]:
        return [item async for item in with_retries(attempt, policy, sleep=sleep)]

    return asyncio.run(collect()), waits, calls


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(max_retries=4, backoff=1.0, max_backoff=3.0)
    runs = [run_retries(["fail"] * 4 + ["a"], policy, retry_after=None)[1] for _ in range(30)]
    for waits in runs:
        assert len(waits) == 4
        assert all(ceiling / 2 <= wait <= ceiling for wait, ceiling in zip(waits, [1.0, 2.0, 3.0, 3.0], strict=True))
    assert len({waits[0] for waits in runs}) > 1


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    assert run_retries(["fail", "a"], RetryPolicy(backoff=0.1, max_backoff=5.0), retry_after=2.0)[1] == [2.0]
    assert run_retries(["fail", "a"], RetryPolicy(backoff=0.1, max_backoff=5.0), retry_after=60.0)[1] == [5.0]


def test_failed_attempts_are_retried_after_the_servers_wait() -> None:
    items, waits, calls = run_retries(["fail", "fail", "a+b"], RetryPolicy(max_retries=2, max_backoff=1.0))
    assert items == ["a", "b"] and waits == [0.25, 0.25] and calls == 3


def test_giving_up_raises_the_carried_error() -> None:
    with pytest.raises(ModelUnavailableError, match="down"):
        run_retries(["fail"], RetryPolicy(max_retries=2))


def test_nothing_is_retried_once_text_was_yielded() -> None:
    seen: list[str] = []

    async def attempt() -> AsyncGenerator[str, None]:
        yield "partial"
        raise RetryableError(ModelUnavailableError("cut"))

    async def collect() -> None:
        async for item in with_retries(attempt, RetryPolicy(max_retries=3)):
            seen.append(item)

    with pytest.raises(ModelUnavailableError, match="cut"):
        asyncio.run(collect())
    assert seen == ["partial"]


def test_server_messages_of_both_shapes() -> None:
    assert server_message(b'{"error": {"message": "bad", "code": "insufficient_quota"}}') == (
        "bad",
        "insufficient_quota",
    )
    assert server_message(b'{"error": {"message": "slow", "type": "requests"}}') == ("slow", "requests")
    assert server_message(b'{"error": "model \\"x\\" not found"}') == ('model "x" not found', "")
    assert server_message(b"<html>Bad Gateway</html>") == ("<html>Bad Gateway</html>", "")
    assert server_message(b"") == ("no details", "")


@pytest.mark.parametrize(
    ("status", "body", "expected", "retryable"),
    [
        (429, b'{"error": {"message": "slow down"}}', ModelRateLimitError, True),
        (429, b'{"error": {"message": "quota", "type": "insufficient_quota"}}', ModelQuotaError, False),
        (402, b'{"error": "pay"}', ModelQuotaError, False),
        (500, b"oops", ModelUnavailableError, True),
        (503, b"", ModelUnavailableError, True),
        (401, b'{"error": {"message": "bad key"}}', ModelAuthError, False),
        (403, b"forbidden", ModelAuthError, False),
        (404, b'{"error": {"message": "no model"}}', ModelResponseError, False),
        (400, b'{"error": {"message": "max_tokens too large"}}', ModelResponseError, False),
    ],
)
def test_statuses_map_onto_the_error_tree(status: int, body: bytes, expected: type, retryable: bool) -> None:
    failure = error_for_status(status, {"retry-after": "2"}, body, SERVER)
    error = failure.error if isinstance(failure, RetryableError) else failure
    assert isinstance(failure, RetryableError) is retryable
    assert isinstance(error, expected) and f"HTTP {status}" in str(error)


def test_rate_limit_error_carries_the_wait_from_either_header() -> None:
    failure = error_for_status(429, {"retry-after-ms": "1500", "retry-after": "9"}, b"", SERVER)
    assert isinstance(failure, RetryableError) and failure.retry_after == 1.5
    assert isinstance(failure.error, ModelRateLimitError) and failure.error.retry_after == 1.5
    assert "Wait 1.5 s" in str(failure.error)


def test_not_found_uses_the_backends_advice() -> None:
    error = error_for_status(404, {}, b'{"error": "model not found"}', SERVER, not_found="Pull it first")
    assert isinstance(error, ModelResponseError) and str(error).startswith("Pull it first (HTTP 404")
