"""The native Ollama backend against a real NDJSON server on loopback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import SecretStr

from assistant.errors import (
    ModelAuthError,
    ModelRateLimitError,
    ModelResponseError,
    ModelTimeoutError,
    ModelUnavailableError,
)
from assistant.models.base import CHAT_MODELS, ChatMessage, ChatModel, ChatRequest, Chunk, Usage, complete
from assistant.models.ollama import DEFAULT_URL, OllamaModel, ollama_root
from assistant.settings import ModelSettings
from tests.models.fake_servers import Reply, closed_port, json_reply, ndjson, serving

KEY = "ollama-proxy-key-42"
REQUEST = ChatRequest(
    messages=[ChatMessage("system", "Cite passages."), ChatMessage("user", "首尔的元宇宙计划是什么？")]
)
NDJSON = {"Content-Type": "application/x-ndjson"}


def line(text: str) -> dict[str, Any]:
    return {"model": "qwen2.5:0.5b", "message": {"role": "assistant", "content": text}, "done": False}


DONE = {"model": "qwen2.5:0.5b", "message": {"role": "assistant", "content": ""}, "done": True,
        "done_reason": "stop", "prompt_eval_count": 21, "eval_count": 4}  # fmt: skip
ANSWER = Reply(200, NDJSON, [ndjson(line("首尔"), line("计划 [1]"), DONE)])


def make_model(url: str, **overrides: Any) -> OllamaModel:
    options: dict[str, Any] = {
        "name": "ollama", "model": "qwen2.5:0.5b", "base_url": url, "timeout": 1.0, "connect_timeout": 0.5,
        "max_retries": 2, "backoff": 0.01, "max_backoff": 0.05, "temperature": 0.1, "max_tokens": 32,
    }  # fmt: skip
    return OllamaModel(ModelSettings(**(options | overrides)))


def run(model: OllamaModel, request: ChatRequest = REQUEST, into: list[Chunk] | None = None) -> list[Chunk]:
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


def test_streams_lines_then_usage_and_sends_the_request() -> None:
    with serving(ANSWER) as server:
        model = make_model(server.url)
        chunks = run(model)
    assert [chunk.text for chunk in chunks] == ["首尔", "计划 [1]", ""]
    assert chunks[-1].usage == Usage(prompt_tokens=21, completion_tokens=4)
    assert model.id == "ollama:qwen2.5:0.5b"
    [received] = server.requests
    assert received.path == "/api/chat" and "authorization" not in received.headers
    assert received.body == {
        "model": "qwen2.5:0.5b",
        "messages": [
            {"role": "system", "content": "Cite passages."},
            {"role": "user", "content": "首尔的元宇宙计划是什么？"},
        ],
        "stream": True,
        "options": {"temperature": 0.1, "num_predict": 32},
    }


def test_request_overrides_and_a_key_for_proxies() -> None:
    request = ChatRequest(messages=REQUEST.messages, temperature=0.0, max_tokens=7, stop=("[END]",))
    with serving(ANSWER) as server:
        text, usage = asyncio.run(complete(make_model(server.url + "/v1/", api_key=SecretStr(KEY)), request))
    assert text == "首尔计划 [1]" and usage == Usage(21, 4)
    received = server.requests[0]
    assert received.path == "/api/chat" and received.headers["authorization"] == f"Bearer {KEY}"
    assert received.body["options"] == {"temperature": 0.0, "num_predict": 7, "stop": ["[END]"]}


def test_lines_split_across_reads() -> None:
    body = ndjson(line("首尔"), line(" 元宇宙"), DONE)
    cut = body.index("元".encode()) + 2  # inside the UTF-8 bytes of 元
    with serving(Reply(200, NDJSON, [body[:5], 0.02, body[5:cut], 0.02, body[cut:]])) as server:
        text, usage = asyncio.run(complete(make_model(server.url), REQUEST))
    assert text == "首尔 元宇宙" and usage.completion_tokens == 4


def test_line_separators_inside_json_strings_and_crlf_are_not_line_breaks() -> None:
    # Python's json.dumps(ensure_ascii=False) writes U+2028 and U+0085 raw; only "\n" ends an NDJSON line.
    body = ndjson(line("首尔\u2028计划"), line("\x85[1]")).replace(b"\n", b"\r\n", 1) + ndjson(DONE).rstrip(b"\n")
    with serving(Reply(200, NDJSON, [body[:9], 0.02, body[9:]])) as server:
        chunks = run(make_model(server.url))
    assert [chunk.text for chunk in chunks[:-1]] == ["首尔\u2028计划", "\x85[1]"] and chunks[-1].usage == Usage(21, 4)


def test_missing_model_says_how_to_pull_it() -> None:
    missing = json_reply(404, {"error": 'model "qwen2.5:0.5b" not found, try pulling it first'})
    with serving(missing) as server, pytest.raises(ModelResponseError, match=r"ollama pull qwen2\.5:0\.5b"):
        run(make_model(server.url))
    assert len(server.requests) == 1


def test_500_then_success() -> None:
    with serving(json_reply(500, {"error": "llama runner process has terminated"}), ANSWER) as server:
        text, _usage = asyncio.run(complete(make_model(server.url), REQUEST))
    assert text == "首尔计划 [1]" and len(server.requests) == 2


def test_500_forever_is_unavailable_with_the_servers_message() -> None:
    crashed = json_reply(500, {"error": "llama runner process has terminated"})
    with serving(crashed) as server, pytest.raises(ModelUnavailableError, match="llama runner process"):
        run(make_model(server.url))
    assert len(server.requests) == 3


def test_429_with_retry_after_waits_then_retries() -> None:
    busy = json_reply(429, {"error": "server busy"}, {"Retry-After": "1"})
    with serving(busy, ANSWER) as server:
        text, _usage = asyncio.run(complete(make_model(server.url, max_backoff=5.0), REQUEST))
    first, second = server.requests
    assert text == "首尔计划 [1]" and second.at - first.at >= 0.95


def test_429_forever_is_rate_limited() -> None:
    with serving(json_reply(429, {"error": "server busy"})) as server, pytest.raises(ModelRateLimitError):
        run(make_model(server.url, max_retries=1))
    assert len(server.requests) == 2


def test_401_from_a_proxy_is_an_auth_error_without_the_key() -> None:
    refused = json_reply(401, {"error": f"bad token {KEY}"})
    with serving(refused) as server, pytest.raises(ModelAuthError) as caught:
        run(make_model(server.url, api_key=SecretStr(KEY)))
    assert KEY not in str(caught.value) and "bad token ***" in str(caught.value)
    assert len(server.requests) == 1


def test_errors_in_the_middle_and_cut_streams_are_response_errors() -> None:
    broken = Reply(200, NDJSON, [ndjson(line("首尔"), {"error": "out of memory"})])
    cut = Reply(200, NDJSON, [ndjson(line("首尔"))])
    garbled = Reply(200, NDJSON, [ndjson(line("首尔")), b"{oops\n"])
    for reply, message in [(broken, "out of memory"), (cut, "without 'done: true'"), (garbled, "not JSON")]:
        seen: list[Chunk] = []
        with serving(reply) as server, pytest.raises(ModelResponseError, match=message):
            run(make_model(server.url), into=seen)
        assert [chunk.text for chunk in seen] == ["首尔"] and len(server.requests) == 1


def test_a_silent_server_times_out() -> None:
    slow = Reply(200, NDJSON, [ndjson(line("首尔")), 1.5, ndjson(DONE)])
    with serving(slow) as server, pytest.raises(ModelTimeoutError):
        run(make_model(server.url, timeout=0.3))
    assert len(server.requests) == 1


def test_connection_refused_is_unavailable() -> None:
    with pytest.raises(ModelUnavailableError, match="Cannot reach Ollama"):
        run(make_model(f"http://127.0.0.1:{closed_port()}", max_retries=1))


def test_server_root_defaults_and_suffixes() -> None:
    assert ollama_root(ModelSettings().base_url) == DEFAULT_URL
    assert ollama_root("http://gpu-box:11434/v1/") == "http://gpu-box:11434"
    assert make_model("http://gpu-box:11434").url == "http://gpu-box:11434/api/chat"


def test_registered_under_ollama_and_follows_the_contract() -> None:
    assert CHAT_MODELS.load("ollama") is OllamaModel
    assert isinstance(make_model(DEFAULT_URL), ChatModel)
