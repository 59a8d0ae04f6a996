"""The OpenAI-compatible backend against a real SSE server on loopback."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from pydantic import SecretStr

from assistant.errors import (
    ModelAuthError,
    ModelQuotaError,
    ModelRateLimitError,
    ModelResponseError,
    ModelTimeoutError,
    ModelUnavailableError,
)
from assistant.models.base import CHAT_MODELS, ChatMessage, ChatModel, ChatRequest, Chunk, Usage, complete
from assistant.models.openai_compatible import OpenAICompatibleModel
from assistant.settings import ModelSettings
from tests.models.fake_servers import Reply, closed_port, json_reply, serving, sse

KEY = "sk-test-0123456789abcdef"
REQUEST = ChatRequest(
    messages=[ChatMessage("system", "Answer from the passages."), ChatMessage("user", "서울시 메타버스 계획은?")]
)
USAGE = {"id": "c1", "choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}}


def delta(text: str) -> dict[str, Any]:
    return {"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": text}}]}


ANSWER = Reply(
    parts=[sse({"choices": [{"delta": {"role": "assistant"}}]}, delta("서울은 "), delta("계획 [1]"), USAGE, "[DONE]")]
)


def make_model(url: str, **overrides: Any) -> OpenAICompatibleModel:
    options: dict[str, Any] = {
        "name": "openai", "model": "tiny-chat", "base_url": f"{url}/v1", "api_key": SecretStr(KEY),
        "timeout": 1.0, "connect_timeout": 0.5, "max_retries": 2, "backoff": 0.01, "max_backoff": 0.05,
        "temperature": 0.3, "max_tokens": 64,
    }  # fmt: skip
    return OpenAICompatibleModel(ModelSettings(**(options | overrides)))


def run(model: OpenAICompatibleModel, request: ChatRequest = REQUEST, into: list[Chunk] | None = None) -> list[Chunk]:
    """The chunks of one streamed call (also collected into ``into``, to inspect them after a failure)."""
    chunks = [] if into is None else into

    async def collect() -> list[Chunk]:
        try:
            async for chunk in model.stream(request):
                chunks.append(chunk)
        finally:
            await model.aclose()
        return chunks

    return asyncio.run(collect())


def test_streams_text_then_usage_and_sends_the_request() -> None:
    with serving(ANSWER) as server:
        model = make_model(server.url)
        chunks = run(model)
    assert [chunk.text for chunk in chunks] == ["서울은 ", "계획 [1]", ""]
    assert chunks[-1].usage == Usage(prompt_tokens=12, completion_tokens=3)
    assert model.id == "openai:tiny-chat"
    [received] = server.requests
    assert received.path == "/v1/chat/completions"
    assert received.headers["authorization"] == f"Bearer {KEY}"
    assert received.body == {
        "model": "tiny-chat",
        "messages": [
            {"role": "system", "content": "Answer from the passages."},
            {"role": "user", "content": "서울시 메타버스 계획은?"},
        ],
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0.3,
        "max_tokens": 64,
    }


def test_request_overrides_and_no_key_for_local_servers() -> None:
    request = ChatRequest(messages=REQUEST.messages, temperature=0.0, max_tokens=5, stop=("\n\n",))
    with serving(ANSWER) as server:
        text, usage = asyncio.run(complete(make_model(server.url, api_key=None), request))
    assert text == "서울은 계획 [1]" and usage.completion_tokens == 3
    body, headers = server.requests[0].body, server.requests[0].headers
    assert (body["temperature"], body["max_tokens"], body["stop"]) == (0.0, 5, ["\n\n"])
    assert "authorization" not in headers


def test_keep_alive_comments_and_events_split_across_reads() -> None:
    first = 'data: {"choices": [{"delta": {"content": "서울"}}]}\r\n\r\n'.encode()
    cut = first.index("서".encode()) + 1  # inside the UTF-8 bytes of 서
    parts: list[bytes | float] = [b": ping\n\n", 0.02, first[:cut], 0.02, first[cut:-1], 0.02, first[-1:], 0.02]
    parts += [
        b": keep-alive\n\n",
        b'data: {"choices":\ndata: [{"delta": {"content": " \xe9\xa6\x96\xe5\xb0\x94"}}]}\n\n',
    ]
    parts += [0.02, sse(USAGE), b"data: [DO", 0.02, b"NE]\n\n"]
    with serving(Reply(parts=parts)) as server:
        chunks = run(make_model(server.url))
    assert "".join(chunk.text for chunk in chunks) == "서울 首尔" and chunks[-1].usage == Usage(12, 3)


def test_429_with_retry_after_waits_then_retries() -> None:
    limited = json_reply(429, {"error": {"message": "Rate limit reached", "type": "requests"}}, {"Retry-After": "1"})
    with serving(limited, ANSWER) as server:
        chunks = run(make_model(server.url, max_backoff=5.0))
    assert "".join(chunk.text for chunk in chunks) == "서울은 계획 [1]"
    first, second = server.requests
    assert second.at - first.at >= 0.95


def test_500_then_success() -> None:
    with serving(json_reply(500, {"error": {"message": "worker crashed"}}), ANSWER) as server:
        chunks = run(make_model(server.url))
    assert chunks[0].text == "서울은 " and len(server.requests) == 2


def test_500_forever_gives_up_unavailable_without_leaking_the_key(caplog: pytest.LogCaptureFixture) -> None:
    echo = json_reply(502, {"error": {"message": f"upstream rejected {KEY}"}})
    with caplog.at_level(logging.WARNING), serving(echo) as server, pytest.raises(ModelUnavailableError) as caught:
        run(make_model(server.url))
    assert len(server.requests) == 3  # the first try and max_retries=2
    assert "HTTP 502" in str(caught.value) and KEY not in str(caught.value)
    assert "Retrying" in caplog.text and KEY not in caplog.text


def test_429_forever_raises_rate_limit_with_the_wait() -> None:
    limited = json_reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "1"})
    with serving(limited) as server, pytest.raises(ModelRateLimitError) as caught:
        run(make_model(server.url, max_retries=1))
    assert caught.value.retry_after == 1.0 and len(server.requests) == 2


def test_quota_429_is_not_retried() -> None:
    quota = json_reply(429, {"error": {"message": "You exceeded your current quota", "code": "insufficient_quota"}})
    with serving(quota) as server, pytest.raises(ModelQuotaError, match="billing"):
        run(make_model(server.url))
    assert len(server.requests) == 1


def test_401_is_an_auth_error_that_never_shows_the_key() -> None:
    refused = json_reply(401, {"error": {"message": f"Incorrect API key provided: {KEY}.", "code": "invalid_api_key"}})
    with serving(refused) as server, pytest.raises(ModelAuthError) as caught:
        run(make_model(server.url))
    assert KEY not in str(caught.value) and "ASSISTANT_MODEL__API_KEY" in str(caught.value)
    assert len(server.requests) == 1


def test_other_4xx_carry_the_servers_message() -> None:
    rejected = json_reply(400, {"error": {"message": "max_tokens is too large: 99999"}})
    with serving(rejected) as server, pytest.raises(ModelResponseError, match="max_tokens is too large"):
        run(make_model(server.url))
    assert len(server.requests) == 1


def test_a_silent_server_times_out_after_the_read_timeout() -> None:
    with serving(Reply(parts=[sse(delta("서울")), 1.5, sse("[DONE]")])) as server:
        seen: list[Chunk] = []
        with pytest.raises(ModelTimeoutError, match="ASSISTANT_MODEL__TIMEOUT"):
            run(make_model(server.url, timeout=0.3), into=seen)
    assert [chunk.text for chunk in seen] == ["서울"] and len(server.requests) == 1


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ([sse(delta("서울")), b"data: {not json\n\n"], "not JSON"),
        ([sse(delta("서울"))], r"without 'data: \[DONE\]'"),
        ([sse(delta("서울"), {"error": {"message": "model overloaded"}})], "model overloaded"),
    ],
)
def test_broken_streams_are_response_errors(parts: list[bytes | float], message: str) -> None:
    with serving(Reply(parts=parts)) as server, pytest.raises(ModelResponseError, match=message):
        run(make_model(server.url))
    assert len(server.requests) == 1


def test_a_server_that_does_not_stream_is_told_apart() -> None:
    plain = Reply(200, {"Content-Type": "application/json"}, [b'{"choices": [{"message": {"content": "hi"}}]}'])
    with serving(plain) as server, pytest.raises(ModelResponseError, match="not an event stream"):
        run(make_model(server.url))


def test_connection_refused_is_unavailable() -> None:
    model = make_model(f"http://127.0.0.1:{closed_port()}", max_retries=1)
    with pytest.raises(ModelUnavailableError, match=r"Cannot reach .* ASSISTANT_MODEL__BASE_URL"):
        run(model)


def test_one_model_serves_several_event_loops() -> None:
    with serving(ANSWER) as server:
        model = make_model(server.url)
        for _ in range(2):
            text, _usage = asyncio.run(complete(model, REQUEST))
            assert text == "서울은 계획 [1]"
        asyncio.run(model.aclose())
    assert len(server.requests) == 2


def test_registered_under_openai_and_follows_the_contract() -> None:
    assert CHAT_MODELS.load("openai") is OpenAICompatibleModel
    assert isinstance(make_model("http://127.0.0.1:1"), ChatModel)
