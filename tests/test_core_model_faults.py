"""Faults users feel, through the Assistant over the demo index and the real OpenAI-compatible client: a hung or
trickling model server costs its first-token or total timeout, a down one is skipped once the breaker opens."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.events import Delta, Done, Fallback
from assistant.core import Assistant
from assistant.records import Answer
from assistant.settings import ConversationSettings, ModelSettings, Settings
from tests.conftest import CORPUS
from tests.models.fake_servers import Reply, SilentServer, closed_port, json_reply, serving, sse, trickle

QUESTION = "가상융합산업 기본계획의 중점 방향은 몇 가지인가요?"
MODEL_TEXT = "중점 방향은 네 가지입니다 [1]."
ANSWER = Reply(parts=[sse({"choices": [{"delta": {"content": MODEL_TEXT}}]}, "[DONE]")])


def assistant_on(index_dir: Path, url: str, **model: Any) -> Assistant:
    options: dict[str, Any] = {
        "name": "openai", "model": "tiny-chat", "base_url": f"{url}/v1", "connect_timeout": 1.0, "timeout": 20.0,
        "first_token_timeout": 20.0, "total_timeout": 20.0, "max_retries": 0, "backoff": 0.01, "max_backoff": 0.05,
    }  # fmt: skip
    settings = Settings(
        corpus_dir=CORPUS,
        index_dir=index_dir,
        model=ModelSettings(**(options | model)),
        conversations=ConversationSettings(backend="memory"),
    )
    return Assistant.from_settings(settings)


def timed(assistant: Assistant, **options: Any) -> tuple[Answer, float]:
    began = time.monotonic()
    answer = assistant.ask(QUESTION, **options)
    return answer, time.monotonic() - began


def assert_extractive_fallback(answer: Answer, reason: str) -> None:
    assert answer.fallback and answer.model == "extractive", answer.fallback_reason
    assert reason in answer.fallback_reason
    assert answer.citations and answer.grounded


def test_a_server_that_never_sends_a_byte_falls_back_at_the_first_token_timeout(demo_index_dir: Path) -> None:
    with SilentServer() as server:
        assistant = assistant_on(demo_index_dir, server.url, first_token_timeout=0.5)
        answer, took = timed(assistant)
    assert_extractive_fallback(answer, "ASSISTANT_MODEL__FIRST_TOKEN_TIMEOUT")
    assert answer.fallback_reason.startswith("model_timeout") and server.connections == 1
    assert took < 10  # the read and total timeouts are 20 s


def test_a_deadline_given_by_the_caller_cuts_a_hung_model_short_for_the_fallback(demo_index_dir: Path) -> None:
    with SilentServer() as server:
        answer, took = timed(assistant_on(demo_index_dir, server.url), deadline=1.5)
    assert_extractive_fallback(answer, "cut off")
    assert took < 10


def test_one_token_then_only_keep_alives_falls_back_at_the_total_timeout(demo_index_dir: Path) -> None:
    trickling = trickle(sse({"choices": [{"delta": {"content": "중점 "}}]}), seconds=15)
    with serving(trickling) as server:
        assistant = assistant_on(demo_index_dir, server.url, total_timeout=1.0)

        async def collect() -> list[object]:
            return [event async for event in assistant.stream(QUESTION)]

        began = time.monotonic()
        events = asyncio.run(collect())
        took = time.monotonic() - began
    kinds = [type(event) for event in events]
    assert kinds.index(Fallback) > kinds.index(Delta)  # the first token arrived, then was taken back
    done = events[-1]
    assert isinstance(done, Done)
    assert_extractive_fallback(done.answer, "ASSISTANT_MODEL__TOTAL_TIMEOUT")
    assert took < 10  # the pings keep the 20 s read timeout from firing; only the total timeout ends it


def test_one_token_then_silence_falls_back_at_the_read_timeout(demo_index_dir: Path) -> None:
    with serving(Reply(parts=[sse({"choices": [{"delta": {"content": "중점 "}}]}), 15.0])) as server:
        answer, took = timed(assistant_on(demo_index_dir, server.url, timeout=0.5))
    assert_extractive_fallback(answer, "ASSISTANT_MODEL__TIMEOUT")
    assert took < 10


def test_a_down_server_is_skipped_once_the_breaker_opens_then_tried_once_after_the_cool_down(
    demo_index_dir: Path,
) -> None:
    down = json_reply(503, {"error": {"message": "no healthy upstream"}})
    with serving(down, down, ANSWER) as server:
        assistant = assistant_on(demo_index_dir, server.url, breaker_failures=2, breaker_cooldown=1.0)
        for _ in range(2):
            assert_extractive_fallback(assistant.ask(QUESTION), "model_unavailable")
        assert assistant.model_breaker() == "open" and len(server.requests) == 2
        for _ in range(3):
            answer, took = timed(assistant)
            assert_extractive_fallback(answer, "model_circuit_open")
            assert took < 5
        assert len(server.requests) == 2  # the server never saw the skipped questions
        time.sleep(1.1)
        trial = assistant.ask(QUESTION)
        assert len(server.requests) == 3
        assert not trial.fallback and trial.model == "openai:tiny-chat" and "네 가지" in trial.text
        assert assistant.model_breaker() == "closed"


def test_a_closed_port_opens_the_breaker_and_says_so_once(
    demo_index_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assistant = assistant_on(demo_index_dir, f"http://127.0.0.1:{closed_port()}", breaker_failures=2)
    with caplog.at_level(logging.WARNING):
        answers = [assistant.ask(QUESTION) for _ in range(5)]
    assert [a.fallback_reason.split(":")[0] for a in answers] == ["model_unavailable"] * 2 + ["model_circuit_open"] * 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert sum("in a row" in line for line in warnings) == 1
    assert sum("answering extractively" in line for line in warnings) == 2  # the skipped ones stay quiet
