"""The HTTP API over real HTTP: uvicorn on loopback, a real streaming client, the openai SDK."""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from assistant.api.app import create_app
from assistant.settings import ApiSettings, ConversationSettings, Settings
from tests.api.live_server import live_server
from tests.conftest import CORPUS

KEY = "test-key-123"
QUESTION = "가상융합산업 기본계획의 중점 방향은 몇 가지인가요?"


def settings_for(index_dir: Path, corpus_dir: Path, tmp: Path, **api: Any) -> Settings:
    return Settings(
        corpus_dir=corpus_dir,
        index_dir=index_dir,
        conversations=ConversationSettings(path=tmp / "conversations.sqlite3"),
        api=ApiSettings(**{"rate_limit": 0, **api}),
    )


@pytest.fixture(scope="module")
def served(demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over a private copy of the demo index and corpus (documents get added and deleted)."""
    tmp = tmp_path_factory.mktemp("api")
    shutil.copytree(demo_index_dir, tmp / "index")
    shutil.copytree(CORPUS, tmp / "corpus")
    settings = settings_for(tmp / "index", tmp / "corpus", tmp, max_body_bytes=8192)
    with live_server(create_app(settings)) as url:
        yield url


def post(url: str, path: str, body: Any, **kwargs: Any) -> httpx.Response:
    return httpx.post(url + path, json=body, timeout=30, **kwargs)


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and (code is None or error["code"] == code)
    assert "Traceback" not in response.text
    return error


def test_answer_returns_a_cited_answer_and_a_new_conversation(served: str) -> None:
    response = post(served, "/v1/answer", {"question": QUESTION})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["conversation_id"] and answer["grounded"] and not answer["fallback"]
    assert answer["language"] == "ko" and answer["citations"]
    citation = answer["citations"][0]
    assert {"n", "passage_id", "document_id", "title", "source", "text", "start", "end", "score"} <= set(citation)
    assert set(answer["timings_ms"]) >= {"retrieval", "generation"}
    assert response.headers["x-request-id"]


def test_an_answer_leads_with_its_phrase_and_a_question_off_the_documents_is_declined(served: str) -> None:
    answered = post(served, "/v1/answer", {"question": "가상융합산업 진흥 기본계획 담당 부서 전화번호는?"}).json()
    assert answered["short_answer"] == "044-202-6352" and not answered["abstained"] and answered["related"] == []
    assert answered["answer"].startswith("044-202-6352 — ") and answered["citations"]
    declined = post(served, "/v1/answer", {"question": "红烧肉怎么做比较好吃？"}).json()
    assert declined["abstained"] and declined["short_answer"] is None
    assert declined["citations"] == [] and not declined["grounded"] and declined["language"] == "zh-Hans"
    assert declined["answer"].startswith("在您提供的文件中找不到")
    assert [r["n"] for r in declined["related"]] == list(range(1, len(declined["related"]) + 1))
    assert {"passage_id", "document_id", "title", "text", "start", "end", "score"} <= set(declined["related"][0])
    with httpx.stream("POST", served + "/v1/chat", json={"question": "红烧肉怎么做比较好吃？"}, timeout=30) as r:
        events = read_sse(r)
    assert events[0] == ("citations", {**events[0][1], "hits": []})  # nothing is offered as a citation
    assert events[-1][0] == "done" and events[-1][1]["abstained"] and events[-1][1]["related"]


def test_sample_questions_are_faq_titles_the_documents_answer_one_per_language(served: str) -> None:
    questions = httpx.get(f"{served}/v1/sample-questions").json()["questions"]
    titles = {document["title"] for document in httpx.get(f"{served}/v1/documents").json()["documents"]}
    assert len(questions) == 3 and set(questions) <= titles
    answers = [post(served, "/v1/answer", {"question": question}).json() for question in questions]
    assert sorted(answer["language"] for answer in answers) == ["ko", "zh-Hans", "zh-Hant"]
    assert all(not answer["abstained"] and answer["citations"] for answer in answers)


def test_configured_sample_questions_win(demo_index_dir: Path, tmp_path: Path) -> None:
    settings = settings_for(demo_index_dir, CORPUS, tmp_path, sample_questions=["서울 메타버스 계획은?"])
    with live_server(create_app(settings)) as url:
        assert httpx.get(f"{url}/v1/sample-questions").json() == {"questions": ["서울 메타버스 계획은?"]}


def test_a_conversation_continues_and_can_be_read_and_deleted(served: str) -> None:
    first = post(served, "/v1/answer", {"question": "메타버스 서울 기본계획의 추진 분야는 몇 개인가요?"}).json()
    conversation = first["conversation_id"]
    follow = post(served, "/v1/answer", {"question": "그럼 추진 기간은?", "conversation_id": conversation}).json()
    assert follow["conversation_id"] == conversation and "서울" in follow["query"]
    turns = httpx.get(f"{served}/v1/conversations/{conversation}").json()["turns"]
    assert [t["question"] for t in turns] == ["메타버스 서울 기본계획의 추진 분야는 몇 개인가요?", "그럼 추진 기간은?"]
    assert turns[1]["citations"]
    assert httpx.delete(f"{served}/v1/conversations/{conversation}").json()["deleted"]
    assert_error(httpx.get(f"{served}/v1/conversations/{conversation}"), 404, "not_found")
    assert_error(httpx.delete(f"{served}/v1/conversations/{conversation}"), 404, "not_found")


def read_sse(response: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    """Parse an SSE stream as a client would, line by line as bytes arrive."""
    events: list[tuple[str, dict[str, Any]]] = []
    name, data = "message", []
    for line in response.iter_lines():
        if line.startswith(":"):
            continue
        if not line:
            if data:
                events.append((name, json.loads("\n".join(data))))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
    return events


def test_chat_streams_citations_then_deltas_then_done(served: str) -> None:
    with httpx.stream(
        "POST", served + "/v1/chat", json={"question": "首爾市的元宇宙平台預計哪一年完成？"}, timeout=30
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = read_sse(r)
    names = [name for name, _ in events]
    assert names[0] == "citations" and names[-1] == "done" and "delta" in names
    hits = events[0][1]["hits"]
    assert hits[0]["n"] == 1 and hits[0]["document_id"]
    done = events[-1][1]
    text = "".join(data["text"] for name, data in events if name == "delta")
    assert done["language"] == "zh-Hant" and done["citations"]
    assert text.replace(" ", "")[:10] == done["answer"].replace(" ", "")[:10]


def test_chat_refuses_a_bad_question_before_streaming(served: str) -> None:
    assert_error(post(served, "/v1/chat", {"question": "   "}), 422, "invalid_query")


def test_search_ranks_passages(served: str) -> None:
    response = httpx.get(f"{served}/v1/search", params={"q": "首爾 元宇宙 七大領域", "k": 3})
    hits = response.json()["hits"]
    assert len(hits) == 3 and hits[0]["score"] >= hits[-1]["score"]
    assert_error(httpx.get(f"{served}/v1/search", params={"q": "x", "k": 0}), 422, "invalid_request")
    assert_error(httpx.get(f"{served}/v1/search"), 422, "invalid_request")


def test_openai_sdk_gets_answers_with_citations_streamed_or_not(served: str) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{served}/v1", api_key="unused", max_retries=0)
    assert [m.id for m in client.models.list()] == ["assistant"]  # how Open WebUI and SDKs discover us
    assert client.models.retrieve("assistant").owned_by == "assistant"
    completion = client.chat.completions.create(model="assistant", messages=[{"role": "user", "content": QUESTION}])
    content = completion.choices[0].message.content or ""
    assert "[1]" in content and "https://" in content
    assert completion.model_extra and completion.model_extra["citations"]
    stream = client.chat.completions.create(
        model="assistant", stream=True,
        messages=[
            {"role": "user", "content": "메타버스 서울 기본계획의 추진 분야는 몇 개인가요?"},
            {"role": "assistant", "content": "일곱 개 분야입니다."},
            {"role": "user", "content": "그럼 추진 기간은?"},
        ],
    )  # fmt: skip
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text and chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra and chunks[-1].model_extra["citations"]


def test_openai_endpoint_needs_a_user_message(served: str) -> None:
    body = {"model": "m", "messages": [{"role": "system", "content": "hi"}]}
    assert_error(post(served, "/v1/chat/completions", body), 422, "invalid_query")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "'question' is required"),
        ({"question": 42}, "question"),
        ({"question": "가" * 2001}, "2000"),
        ({"question": "질문", "top_k": "many"}, "top_k"),
        ({"question": "질문", "surprise": True}, "surprise"),
    ],
)
def test_bad_bodies_get_422_naming_the_field(served: str, body: dict[str, Any], fragment: str) -> None:
    assert fragment in assert_error(post(served, "/v1/answer", body), 422, "invalid_request")["message"]


def test_malformed_json_and_oversized_bodies_are_refused(served: str) -> None:
    bad = httpx.post(served + "/v1/answer", content=b'{"question": ', headers={"content-type": "application/json"})
    assert "JSON" in assert_error(bad, 422)["message"]
    assert_error(post(served, "/v1/answer", {"question": "가" * 1900, "user": "x" * 199, "pad": "y" * 9000}), 413)


def test_unknown_routes_and_ids_are_404_in_our_shape(served: str) -> None:
    assert_error(httpx.get(f"{served}/v1/nothing-here"), 404, "not_found")
    assert_error(httpx.delete(f"{served}/v1/documents/no-such-document"), 404, "not_found")


def test_a_document_is_added_found_deleted_and_gone(served: str) -> None:
    text = "부산시는 2027년까지 해양 메타버스 체험관 '바다누리'를 세 곳에 연다고 밝혔다."
    upload = httpx.post(
        f"{served}/v1/documents", files={"file": ("busan-ocean.md", f"# 부산 해양 메타버스\n\n{text}\n".encode())}
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["documents"][0]["id"] == "busan-ocean"
    found = post(served, "/v1/answer", {"question": "바다누리 체험관은 몇 곳에 여나요?"}).json()
    assert found["citations"][0]["document_id"] == "busan-ocean"
    listed = [d["id"] for d in httpx.get(f"{served}/v1/documents").json()["documents"]]
    assert "busan-ocean" in listed and "ko-five-focus-points" in listed
    deleted = httpx.delete(f"{served}/v1/documents/busan-ocean").json()
    assert deleted["deleted"] and deleted["passages"] >= 1
    after = post(served, "/v1/answer", {"question": "바다누리 체험관은 몇 곳에 여나요?"}).json()
    assert all(c["document_id"] != "busan-ocean" for c in after["citations"])


def test_a_json_text_document_is_added_and_bad_uploads_are_explained(served: str) -> None:
    body = {
        "id": "note-taipei",
        "title": "臺北元宇宙",
        "text": "臺北市計畫在二〇二八年啟用元宇宙市政廳，提供線上申辦服務。",
    }
    assert post(served, "/v1/documents/text", body).status_code == 201
    answer = post(served, "/v1/answer", {"question": "臺北元宇宙市政廳哪一年啟用？"}).json()
    assert answer["citations"][0]["document_id"] == "note-taipei"
    refused = httpx.post(f"{served}/v1/documents", files={"file": ("virus.exe", b"MZ\x00\x00")})
    assert "Unsupported" in assert_error(refused, 400)["message"]
    assert_error(httpx.post(f"{served}/v1/documents", files={"file": ("empty.md", b"")}), 400)
    assert_error(post(served, "/v1/documents/text", {"id": "../etc", "text": "x"}), 422)


def test_questions_keep_working_while_documents_change(served: str) -> None:
    failures: list[str] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            response = post(served, "/v1/answer", {"question": QUESTION})
            if response.status_code != 200 or not response.json()["citations"]:
                failures.append(response.text)

    askers = [threading.Thread(target=ask) for _ in range(3)]
    for thread in askers:
        thread.start()
    try:
        for i in range(3):
            name = f"concurrent-{i}.txt"
            files = {"file": (name, f"동시 업데이트 시험 문서 {i}번입니다. 질문은 계속 답을 받아야 합니다.".encode())}
            assert httpx.post(f"{served}/v1/documents", files=files, timeout=60).status_code == 201
            assert httpx.delete(f"{served}/v1/documents/concurrent-{i}", timeout=60).status_code == 200
    finally:
        stop.set()
        for thread in askers:
            thread.join()
    assert failures == []


def test_health_and_metrics(served: str) -> None:
    assert httpx.get(f"{served}/livez").json() == {"status": "ok"}
    ready = httpx.get(f"{served}/readyz").json()
    assert ready["status"] == "ok" and ready["passages"] > 0 and ready["model"] == "extractive"
    post(served, "/v1/answer", {"question": QUESTION})
    assert httpx.get(f"{served}/v1/conversations/some-id").status_code == 404
    assert httpx.get(f"{served}/v1/no-such-route").status_code == 404
    metrics = httpx.get(f"{served}/metrics").text
    assert 'assistant_http_requests_total{method="POST",route="/v1/answer",status="200"}' in metrics
    conversation = 'route="/v1/conversations/{conversation_id}"'
    assert f'assistant_http_requests_total{{method="GET",{conversation},status="404"}}' in metrics
    assert 'assistant_http_requests_total{method="GET",route="unmatched",status="404"}' in metrics
    assert 'assistant_http_request_seconds_count{route="/v1/answer"}' in metrics
    assert 'assistant_answer_stage_seconds_count{stage="retrieval"}' in metrics
    assert "assistant_fallbacks_total" in metrics


@pytest.fixture(scope="module")
def guarded(demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service with API keys and a tight rate limit."""
    tmp = tmp_path_factory.mktemp("guarded")
    settings = settings_for(demo_index_dir, CORPUS, tmp, api_keys=[SecretStr(KEY)], rate_limit=60, rate_burst=3)
    with live_server(create_app(settings)) as url:
        yield url


def test_keys_are_required_when_configured(guarded: str) -> None:
    error = assert_error(post(guarded, "/v1/answer", {"question": QUESTION}), 401, "unauthorized")
    assert "Authorization: Bearer" in error["message"]
    assert_error(post(guarded, "/v1/answer", {"question": QUESTION}, headers={"X-API-Key": "wrong"}), 401)
    ok = post(guarded, "/v1/answer", {"question": QUESTION}, headers={"Authorization": f"Bearer {KEY}"})
    assert ok.status_code == 200
    assert httpx.get(f"{guarded}/livez").status_code == 200


def test_the_rate_limit_answers_429_with_retry_after(guarded: str) -> None:
    headers = {"X-API-Key": KEY}
    statuses = [httpx.get(f"{guarded}/v1/search", params={"q": "서울"}, headers=headers) for _ in range(8)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited and int(limited[0].headers["retry-after"]) >= 1
    assert "Wait" in limited[0].json()["error"]["message"]


def test_conversations_are_listed_per_user_and_take_feedback(served: str) -> None:
    first = post(served, "/v1/answer", {"question": QUESTION, "user": "web:tester"}).json()
    conversation = first["conversation_id"]
    listed = httpx.get(f"{served}/v1/conversations", params={"user": "web:tester"}).json()["conversations"]
    assert [c["id"] for c in listed] == [conversation] and listed[0]["title"] == QUESTION
    rated = post(served, f"/v1/conversations/{conversation}/turns/0/feedback", {"rating": -1})
    assert rated.status_code == 200 and rated.json()["feedback"] == -1
    assert httpx.get(f"{served}/v1/conversations/{conversation}").json()["turns"][0]["feedback"] == -1
    assert_error(post(served, f"/v1/conversations/{conversation}/turns/9/feedback", {"rating": 1}), 404)
    assert_error(post(served, f"/v1/conversations/{conversation}/turns/0/feedback", {"rating": 5}), 422)


class _BrokenStore:
    """A conversation store that fails when the answer is saved: the stream has started by then."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def append(self, conversation_id: str, turn: Any) -> None:
        raise OSError("disk full")


@pytest.fixture(scope="module")
def slow(demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """A service whose model is slow (keep-alive pings show) and whose store breaks after the answer."""
    from assistant.conversations.base import create_store
    from assistant.core import Assistant
    from assistant.indexing.builder import open_retriever
    from tests.fakes import ScriptedModel

    tmp = tmp_path_factory.mktemp("slow")
    settings = settings_for(demo_index_dir, CORPUS, tmp, keepalive=0.05)
    model = ScriptedModel(lambda request: ["느린 ", "답변입니다 ", "[1]"], delay=0.2)
    store = _BrokenStore(create_store(settings.conversations))
    assistant = Assistant(settings, open_retriever(settings), model, store)  # type: ignore[arg-type]
    with live_server(create_app(settings, assistant=assistant)) as url:
        yield url, model


def test_chat_pings_while_the_model_is_quiet_and_reports_a_late_failure_as_an_error_event(slow) -> None:
    url, _ = slow
    with httpx.stream("POST", url + "/v1/chat", json={"question": QUESTION}, timeout=30) as response:
        raw = "".join(response.iter_text())
    assert ": ping\n\n" in raw and "\r" not in raw  # lines end in "\n", as before the move to sse-starlette
    assert raw.index("event: citations") < raw.index("event: delta")
    assert "event: error" in raw and "internal_error" in raw and "Traceback" not in raw and "disk full" not in raw


def test_a_client_that_goes_away_cancels_the_model_call(slow) -> None:
    url, model = slow
    model.cancelled = False
    with httpx.stream("POST", url + "/v1/chat", json={"question": QUESTION}, timeout=30) as response:
        for line in response.iter_lines():
            if line.startswith("event: delta"):
                break
    deadline = time.monotonic() + 5
    while not model.cancelled and time.monotonic() < deadline:
        time.sleep(0.05)
    assert model.cancelled


def test_every_response_carries_the_clients_request_id_or_a_new_one(guarded: str) -> None:
    rejected = post(guarded, "/v1/answer", {"question": QUESTION}, headers={"X-Request-ID": "trace-ab12"})
    assert rejected.status_code == 401 and rejected.headers["x-request-id"] == "trace-ab12"
    long = post(guarded, "/v1/answer", {"question": QUESTION}, headers={"X-Request-ID": "x" * 100})
    assert long.headers["x-request-id"] == "x" * 64
    made = [httpx.get(f"{guarded}/livez").headers["x-request-id"] for _ in range(2)]
    assert made[0] != made[1] and all(re.fullmatch(r"[0-9a-f]{16}", made_id) for made_id in made)


def test_logs_name_the_request_but_never_the_key(guarded: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="assistant.api"):
        response = post(guarded, "/v1/answer", {"question": QUESTION}, headers={"X-API-Key": KEY})
        request_id = response.headers["x-request-id"]
        deadline = time.monotonic() + 5  # the server logs after the last byte is sent: wait for the line
        while time.monotonic() < deadline and not any(request_id in r.getMessage() for r in caplog.records):
            time.sleep(0.02)
    lines = [record.getMessage() for record in caplog.records if record.name == "assistant.api"]
    assert any(request_id in line and "client=key:" in line for line in lines)
    assert all(KEY not in line for line in lines)
