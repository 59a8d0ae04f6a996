"""The first-token and total timeouts and the circuit breaker, around the real HTTP backends on loopback servers."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from assistant.errors import (
    ModelAuthError,
    ModelCircuitOpenError,
    ModelTimeoutError,
    ModelUnavailableError,
)
from assistant.models.base import ChatMessage, ChatModel, ChatRequest, Chunk
from assistant.models.circuit_breaker import BreakerState
from assistant.models.guarded import GuardedModel, stream_until
from assistant.models.ollama import OllamaModel
from assistant.models.openai_compatible import OpenAICompatibleModel
from assistant.settings import ModelSettings
from tests.models.fake_servers import Reply, SilentServer, closed_port, json_reply, ndjson, serving, sse, trickle

REQUEST = ChatRequest(messages=[ChatMessage("user", "서울시 메타버스 계획은?")])
OPENAI_ANSWER = Reply(parts=[sse({"choices": [{"delta": {"content": "서울 [1]"}}]}, "[DONE]")])


def openai_delta(text: str) -> bytes:
    return sse({"choices": [{"delta": {"content": text}}]})


def ollama_line(text: str) -> bytes:
    return ndjson({"message": {"role": "assistant", "content": text}, "done": False})


BACKENDS = {
    "openai": (OpenAICompatibleModel, "/v1", openai_delta, b": ping\n\n"),
    "ollama": (OllamaModel, "", ollama_line, b"\n"),
}


def settings(url: str, **overrides: Any) -> ModelSettings:
    options: dict[str, Any] = {
        "model": "tiny-chat", "base_url": url, "connect_timeout": 1.0, "timeout": 20.0, "first_token_timeout": 20.0,
        "total_timeout": 20.0, "max_retries": 0, "backoff": 0.01, "max_backoff": 0.05, "breaker_failures": 2,
        "breaker_cooldown": 0.5,
    }  # fmt: skip
    return ModelSettings(**(options | overrides))


def guarded(backend: str, url: str, **overrides: Any) -> GuardedModel:
    kind, suffix, _, _ = BACKENDS[backend]
    model: ChatModel = kind(settings(url + suffix, name=backend, **overrides))
    return GuardedModel(model, settings(url, **overrides))


def run(model: ChatModel, into: list[Chunk] | None = None) -> list[Chunk]:
    chunks = [] if into is None else into

    async def collect() -> list[Chunk]:
        async for chunk in model.stream(REQUEST):
            chunks.append(chunk)
        return chunks

    return asyncio.run(collect())


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_server_that_never_sends_a_byte_times_out_at_the_first_token_timeout(backend: str) -> None:
    with SilentServer() as server:
        model = guarded(backend, server.url, first_token_timeout=0.5)
        began = time.monotonic()
        with pytest.raises(ModelTimeoutError, match="ASSISTANT_MODEL__FIRST_TOKEN_TIMEOUT"):
            run(model)
        took = time.monotonic() - began
    assert server.connections == 1
    assert took < 10  # well before the 20 s read and total timeouts


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_token_then_only_keep_alives_times_out_at_the_total_timeout(backend: str) -> None:
    _, _, line, ping = BACKENDS[backend]
    with serving(trickle(line("서울"), seconds=15, ping=ping)) as server:
        seen: list[Chunk] = []
        began = time.monotonic()
        with pytest.raises(ModelTimeoutError, match="ASSISTANT_MODEL__TOTAL_TIMEOUT"):
            run(guarded(backend, server.url, total_timeout=1.0), into=seen)
        took = time.monotonic() - began
    assert [chunk.text for chunk in seen] == ["서울"]
    assert took < 10  # the pings keep the 20 s read timeout from ever firing


def test_one_token_then_silence_times_out_between_reads() -> None:
    with serving(Reply(parts=[openai_delta("서울"), 15.0])) as server:
        seen: list[Chunk] = []
        with pytest.raises(ModelTimeoutError, match="ASSISTANT_MODEL__TIMEOUT"):
            run(guarded("openai", server.url, timeout=0.5), into=seen)
    assert [chunk.text for chunk in seen] == ["서울"]


def test_a_failing_server_opens_the_breaker_and_is_not_called_until_the_cool_down_is_over() -> None:
    down = json_reply(503, {"error": {"message": "overloaded"}})
    with serving(down, down, OPENAI_ANSWER) as server:
        model = guarded("openai", server.url, breaker_failures=2, breaker_cooldown=0.5)
        for _ in range(2):
            with pytest.raises(ModelUnavailableError, match="HTTP 503"):
                run(model)
        assert model.breaker.state is BreakerState.OPEN and len(server.requests) == 2
        for _ in range(3):
            with pytest.raises(ModelCircuitOpenError, match="ASSISTANT_MODEL__BREAKER_COOLDOWN"):
                run(model)
        assert len(server.requests) == 2  # skipped: the server saw nothing
        time.sleep(0.6)
        assert "".join(chunk.text for chunk in run(model)) == "서울 [1]"  # the trial
        assert len(server.requests) == 3 and model.breaker.state is BreakerState.CLOSED


def test_a_closed_port_opens_the_breaker_and_skipping_is_immediate() -> None:
    model = guarded("openai", f"http://127.0.0.1:{closed_port()}", breaker_failures=2, breaker_cooldown=30)
    for _ in range(2):
        with pytest.raises(ModelUnavailableError, match="Cannot reach"):
            run(model)
    with pytest.raises(ModelCircuitOpenError, match="failed 2 times in a row"):
        run(model)


def test_a_hung_server_opens_the_breaker_after_its_timeouts() -> None:
    with SilentServer() as server:
        model = guarded("ollama", server.url, first_token_timeout=0.3, breaker_failures=2, breaker_cooldown=30)
        for _ in range(2):
            with pytest.raises(ModelTimeoutError):
                run(model)
        with pytest.raises(ModelCircuitOpenError):
            run(model)
        assert server.connections == 2


def test_a_server_that_answers_with_an_error_is_up() -> None:
    refused = json_reply(401, {"error": {"message": "bad key"}})
    with serving(refused) as server:
        model = guarded("openai", server.url, breaker_failures=1)
        for _ in range(3):
            with pytest.raises(ModelAuthError):
                run(model)
    assert model.breaker.state is BreakerState.CLOSED and len(server.requests) == 3


def test_a_caller_that_cuts_the_model_short_gives_no_verdict() -> None:
    async def cut_short(model: GuardedModel) -> None:
        until = asyncio.get_running_loop().time() + 0.2
        with pytest.raises(ModelTimeoutError, match="cut off"):
            async for _ in stream_until(model, REQUEST, until):
                pass

    with SilentServer() as server:
        model = guarded("openai", server.url, breaker_failures=1)
        for _ in range(2):
            asyncio.run(cut_short(model))
        assert model.breaker.state is BreakerState.CLOSED and server.connections == 2


def test_the_guard_follows_the_contract_and_closes_the_model() -> None:
    model = guarded("openai", "http://127.0.0.1:1")
    assert isinstance(model, ChatModel) and model.id == "openai:tiny-chat"
    asyncio.run(model.aclose())
