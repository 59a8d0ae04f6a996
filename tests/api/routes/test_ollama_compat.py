"""The Ollama-compatible surface over real HTTP: NDJSON read line by line as an Ollama client reads it, the model
list, keys, errors in our shape, and our own Ollama backend talking to it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from assistant.api.app import create_app
from assistant.models.base import ChatMessage, ChatRequest
from assistant.models.ollama import OllamaModel
from assistant.settings import ModelSettings
from tests.api.live_server import live_server
from tests.api.test_api import assert_error, settings_for
from tests.conftest import CORPUS

KEY = "ollama-client-key"
KO = "가상융합산업 기본계획의 중점 방향은 몇 가지인가요?"
HANT = "首爾市的元宇宙平台預計哪一年完成？"
HANS = "2021年韩国给线上展馆投了多少钱？"
TIMINGS = (
    "total_duration",
    "load_duration",
    "prompt_eval_count",
    "prompt_eval_duration",
    "eval_count",
    "eval_duration",
)


@pytest.fixture(scope="module")
def served(demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over the demo index, without keys."""
    with live_server(create_app(settings_for(demo_index_dir, CORPUS, tmp_path_factory.mktemp("ollama")))) as url:
        yield url


@pytest.fixture(scope="module")
def guarded(demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service with a reader key."""
    settings = settings_for(demo_index_dir, CORPUS, tmp_path_factory.mktemp("ollama-keys"), api_keys=[SecretStr(KEY)])
    with live_server(create_app(settings)) as url:
        yield url


def stream_lines(url: str, path: str, body: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    """POST and read the NDJSON reply one line at a time, as bytes arrive."""
    with httpx.stream("POST", url + path, json=body, timeout=30, **kwargs) as response:
        assert response.status_code == 200, response.read().decode()
        assert response.headers["content-type"].startswith("application/x-ndjson")
        return [json.loads(line) for line in response.iter_lines() if line.strip()]


def assert_ollama_lines(
    lines: list[dict[str, Any]], field: str, model: str = "assistant"
) -> tuple[str, dict[str, Any]]:
    """Every line is an Ollama object naming the model asked for, only the last is done; returns the text and the
    last line."""
    *pieces, last = lines
    assert pieces and all(not line["done"] for line in pieces) and last["done"] is True
    for line in lines:
        assert line["model"] == model
        datetime.fromisoformat(line["created_at"])
        if field == "message":
            assert line["message"]["role"] == "assistant"
    text = "".join(line["message"]["content"] if field == "message" else line["response"] for line in lines)
    assert last["done_reason"] == "stop"
    assert all(isinstance(last[name], int) and last[name] >= 0 for name in TIMINGS)
    assert last["total_duration"] > 0 and last["total_duration"] >= last["eval_duration"]
    return text, last


@pytest.mark.parametrize(("question", "title"), [(KO, "출처"), (HANT, "來源"), (HANS, "来源")])
def test_chat_streams_lines_ending_in_done_with_citations(served: str, question: str, title: str) -> None:
    """Korean, Traditional and Simplified Chinese questions: the sources block is titled in the answer's language."""
    body = {"model": "assistant", "messages": [{"role": "user", "content": question}]}
    text, last = assert_ollama_lines(stream_lines(served, "/api/chat", body), "message")
    citations = last["citations"]
    assert citations and citations[0]["n"] == 1 and last["conversation_id"] is None
    assert {"passage_id", "document_id", "title", "source", "text", "start", "end", "score"} <= set(citations[0])
    block = f"\n\n{title}\n" + "\n".join(
        f"[{c['n']}] {c['title']}" + (f" — {c['source']}" if c["source"] else "") for c in citations
    )
    assert text.endswith(block) and text.index(block) > 0
    whole = httpx.post(served + "/api/chat", json={**body, "stream": False}, timeout=30).json()
    assert whole["done"] and whole["message"]["content"].endswith(block) and whole["citations"] == citations


def test_chat_takes_earlier_messages_as_the_conversation_and_keeps_it_for_a_named_user(served: str) -> None:
    messages = [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "메타버스 서울 기본계획의 추진 분야는 몇 개인가요?"},
        {"role": "assistant", "content": "일곱 개 분야입니다."},
        {"role": "user", "content": "그럼 추진 기간은?"},
    ]
    reply = httpx.post(served + "/api/chat", json={"messages": messages, "stream": False, "user": "ollama:tester"},
                       timeout=30).json()  # fmt: skip
    assert reply["done"] and reply["citations"] and reply["conversation_id"]
    listed = httpx.get(f"{served}/v1/conversations", params={"user": "ollama:tester"}).json()["conversations"]
    assert [c["id"] for c in listed] == [reply["conversation_id"]]


def test_generate_streams_the_answer_as_responses(served: str) -> None:
    text, last = assert_ollama_lines(
        stream_lines(served, "/api/generate", {"model": "x", "prompt": KO}), "response", "x"
    )
    assert last["citations"] and "\n\n출처\n[1] " in text
    whole = httpx.post(served + "/api/generate", json={"prompt": HANT, "stream": False}, timeout=30).json()
    assert whole["done"] and "\n\n來源\n[1] " in whole["response"] and whole["citations"]


def test_an_empty_request_only_loads_the_model(served: str) -> None:
    for path, body in (("/api/chat", {"model": "assistant", "messages": []}), ("/api/generate", {"model": "m"})):
        reply = httpx.post(served + path, json=body, timeout=30).json()
        assert reply["done"] and reply["done_reason"] == "load"


def test_tags_show_and_version_describe_the_one_model(served: str) -> None:
    models = httpx.get(served + "/api/tags").json()["models"]
    assert [(m["name"], m["model"]) for m in models] == [("assistant", "assistant")]
    model = models[0]
    assert {"modified_at", "size", "digest", "details"} <= set(model) and len(model["digest"]) == 64
    datetime.fromisoformat(model["modified_at"])
    assert {"format", "family", "families", "parameter_size", "quantization_level"} <= set(model["details"])
    for name in ("assistant", "assistant:latest"):
        shown = httpx.post(served + "/api/show", json={"model": name}).json()
        assert shown["details"] == model["details"] and "completion" in shown["capabilities"]
    assert_error(httpx.post(served + "/api/show", json={"name": "llama3"}), 404, "not_found")
    assert httpx.get(served + "/api/version").json()["version"]


def test_the_rate_limit_covers_the_ollama_routes(demo_index_dir: Path, tmp_path: Path) -> None:
    settings = settings_for(demo_index_dir, CORPUS, tmp_path, rate_limit=60, rate_burst=2)
    with live_server(create_app(settings)) as url:
        statuses = [httpx.get(url + "/api/tags").status_code for _ in range(4)]
        assert statuses[:2] == [200, 200] and 429 in statuses
        assert_error(httpx.get(url + "/api/version"), 429, "rate_limited")


def test_keys_are_required_when_configured(guarded: str) -> None:
    body = {"messages": [{"role": "user", "content": KO}], "stream": False}
    error = assert_error(httpx.post(guarded + "/api/chat", json=body, timeout=30), 401, "unauthorized")
    assert "Authorization: Bearer" in error["message"]
    assert_error(httpx.get(guarded + "/api/tags"), 401, "unauthorized")
    wrong = {"Authorization": "Bearer not-the-key"}
    assert_error(httpx.post(guarded + "/api/generate", json={"prompt": KO}, headers=wrong, timeout=30), 401)
    ok = {"Authorization": f"Bearer {KEY}"}
    assert httpx.get(guarded + "/api/tags", headers=ok).status_code == 200
    text, _ = assert_ollama_lines(stream_lines(guarded, "/api/chat", {**body, "stream": True}, headers=ok), "message")
    assert "출처" in text


@pytest.mark.parametrize(
    ("path", "body", "code", "fragment"),
    [
        ("/api/chat", {"messages": "hello"}, "invalid_request", "messages"),
        ("/api/chat", {"messages": [{"role": "robot", "content": "hi"}]}, "invalid_request", "role"),
        ("/api/chat", {"messages": [{"role": "user", "content": 42}]}, "invalid_request", "content"),
        ("/api/chat", {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]},
         "invalid_query", "last message"),
        ("/api/chat", {"messages": [{"role": "user", "content": KO}], "stream": "often"}, "invalid_request", "stream"),
        ("/api/generate", {"prompt": "   "}, "invalid_query", ""),
        ("/api/generate", {"prompt": ["a"]}, "invalid_request", "prompt"),
    ],
)  # fmt: skip
def test_bad_bodies_are_refused_in_our_shape(served: str, path: str, body: Any, code: str, fragment: str) -> None:
    assert fragment in assert_error(httpx.post(served + path, json=body, timeout=30), 422, code)["message"]


def test_malformed_json_is_refused_in_our_shape(served: str) -> None:
    bad = httpx.post(served + "/api/chat", content=b'{"messages": [', headers={"content-type": "application/json"})
    assert "JSON" in assert_error(bad, 422, "invalid_request")["message"]


def test_our_own_ollama_backend_can_use_the_assistant_as_its_model(guarded: str) -> None:
    settings = ModelSettings(name="ollama", model="assistant", base_url=guarded, api_key=SecretStr(KEY))

    async def ask() -> tuple[str, Any]:
        model = OllamaModel(settings)
        try:
            chunks = [chunk async for chunk in model.stream(ChatRequest([ChatMessage("user", HANS)]))]
        finally:
            await model.aclose()
        return "".join(chunk.text for chunk in chunks), chunks[-1].usage

    text, usage = asyncio.run(ask())
    assert "\n\n来源\n[1] " in text and usage is not None


def test_the_final_line_is_documented(served: str) -> None:
    paths = httpx.get(served + "/openapi.json").json()["paths"]
    for path in ("/api/chat", "/api/generate"):
        operation = paths[path]["post"]
        assert "application/x-ndjson" in operation["responses"]["200"]["content"]
        for words in ("`done_reason`", "`eval_count`", "`citations`", "`conversation_id`", "출처", "nanoseconds"):
            assert words in operation["description"], (path, words)
