"""Document writes over real HTTP: bounded JSON text, large uploads as jobs, writes that do not wait on each other."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistant.api.app import create_app
from assistant.indexing.builder import build_index, open_index
from assistant.settings import ApiSettings, ConversationSettings, Settings
from tests.api.live_server import live_server
from tests.conftest import CORPUS
from tests.indexing.gated_embedder import GatedEmbedder, gated_settings
from tests.indexing.test_live import SMALL_CORPUS, long_text

MAX_TEXT = 20_000
BACKGROUND_ABOVE = 2_000


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("documents")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name in SMALL_CORPUS:
        (corpus / f"{name}.md").write_bytes((CORPUS / f"{name}.md").read_bytes())
    settings = Settings(
        corpus_dir=corpus, index_dir=tmp / "index", embedder=gated_settings(),
        conversations=ConversationSettings(path=tmp / "conversations.sqlite3"),
        api=ApiSettings(rate_limit=0, max_body_bytes=8192, max_text_chars=MAX_TEXT,
                        background_above_chars=BACKGROUND_ABOVE),
    )  # fmt: skip
    build_index(settings)
    return settings


@pytest.fixture(scope="module")
def served(settings: Settings) -> Iterator[str]:
    with live_server(create_app(settings)) as url:
        yield url


def post_text(url: str, body: dict[str, Any], timeout: float = 30) -> httpx.Response:
    return httpx.post(f"{url}/v1/documents/text", json=body, timeout=timeout)


def follow(url: str, response: httpx.Response, seconds: float = 60) -> dict[str, Any]:
    """Poll a 202's Location until the job is finished; returns the job."""
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    assert location == f"/v1/documents/jobs/{response.json()['id']}"
    deadline = time.monotonic() + seconds
    while True:
        job = httpx.get(url + location, timeout=10)
        assert job.status_code == 200, job.text
        if job.json()["state"] in ("done", "failed"):
            return dict(job.json())
        assert time.monotonic() < deadline, f"job still {job.json()['state']}"
        time.sleep(0.05)


def top_document(url: str, query: str) -> str:
    hits = httpx.get(f"{url}/v1/search", params={"q": query, "k": 1}, timeout=30).json()["hits"]
    return str(hits[0]["document_id"]) if hits else ""


def listed(url: str) -> set[str]:
    return {d["id"] for d in httpx.get(f"{url}/v1/documents", timeout=30).json()["documents"]}


def test_a_large_text_is_accepted_as_a_job_and_becomes_searchable(served: str) -> None:
    accepted = post_text(served, {"id": "busan-sea", "title": "부산 바다", "text": long_text("바다누리", 6000)})
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["state"] in ("queued", "running", "done")
    assert accepted.json()["documents"] == ["busan-sea"] and accepted.json()["characters"] == 6000
    job = follow(served, accepted)
    assert job["state"] == "done" and job["error"] is None and job["passages"] > 5
    assert {"queued", "analyse", "lock_wait", "write", "total"} <= set(job["timings_ms"])
    assert top_document(served, "바다누리 체험관") == "busan-sea"
    assert "busan-sea" in listed(served)
    assert job["id"] in [j["id"] for j in httpx.get(f"{served}/v1/documents/jobs").json()["jobs"]]


def test_a_large_file_is_a_job_too_but_a_bad_one_is_refused_at_once(served: str) -> None:
    text = "# 울산 수소\n\n" + long_text("수소트램", 4000)
    accepted = httpx.post(f"{served}/v1/documents", files={"file": ("ulsan-tram.md", text.encode())}, timeout=30)
    assert follow(served, accepted)["state"] == "done"
    assert top_document(served, "수소트램") == "ulsan-tram"
    binary = b"\x00\x01" * 5000
    refused = httpx.post(f"{served}/v1/documents", files={"file": ("blob.md", binary)}, timeout=30)
    assert refused.status_code == 400 and "binary" in refused.json()["error"]["message"]


def test_a_small_write_is_not_held_up_by_a_large_one_being_indexed(served: str) -> None:
    answers: list[httpx.Response] = []
    with GatedEmbedder.gate("느린표지") as gate:
        large = threading.Thread(
            target=lambda: answers.append(post_text(served, {"id": "held", "text": long_text("느린표지", 5000)}, 90))
        )
        large.start()
        assert gate.entered.wait(30), "the large document never reached its analysis"
        started = time.perf_counter()
        small = post_text(served, {"id": "quick", "title": "빠른", "text": "세종시는 자율주행 셔틀을 운행한다."}, 15)
        waited = time.perf_counter() - started
        assert small.status_code == 201, small.text
        assert top_document(served, "자율주행 셔틀") == "quick"
        assert "held" not in listed(served)  # still being analysed
        gate.open()
        large.join(90)
    print(f"a small write took {waited * 1000:.0f} ms while a large one was held in its analysis")
    assert follow(served, answers[0])["state"] == "done"
    assert {"held", "quick"} <= listed(served)


def test_concurrent_writers_all_land_in_the_index_and_the_corpus(served: str, settings: Settings) -> None:
    start = threading.Barrier(6)
    statuses: list[int] = []

    def write(i: int) -> None:
        body = {"id": f"parallel-{i}", "title": f"병렬 {i}", "text": f"병렬 쓰기 {i}번 문서: 강릉 해변 도서관."}
        if i == 5:
            body["text"] = long_text(f"병렬표지{i}", 3000)
        start.wait()
        response = post_text(served, body, 60)
        statuses.append(response.status_code)
        if response.status_code == 202:
            assert follow(served, response)["state"] == "done"

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert sorted(statuses) == [201] * 5 + [202]
    expected = {f"parallel-{i}" for i in range(6)}
    assert expected <= listed(served)
    assert expected <= set(open_index(settings).documents)
    assert all((settings.corpus_dir / f"{doc}.jsonl").is_file() for doc in expected)


def test_text_over_its_limit_gets_413_naming_the_setting(served: str) -> None:
    over = post_text(served, {"id": "too-long", "text": "가" * (MAX_TEXT + 1)})
    assert over.status_code == 413, over.text
    assert "ASSISTANT_API__MAX_TEXT_CHARS" in over.json()["error"]["message"]
    huge = httpx.post(
        f"{served}/v1/documents/text", content=b'{"id": "huge", "text": "' + b"a" * (7 * MAX_TEXT + 8192) + b'"}',
        headers={"content-type": "application/json"}, timeout=30,
    )  # fmt: skip
    assert huge.status_code == 413 and "ASSISTANT_API__MAX_TEXT_CHARS" in huge.json()["error"]["message"]
    assert not {"too-long", "huge"} & listed(served)
    # the limit is the text's, not the other JSON routes': a text at the limit still fits its body
    assert follow(served, post_text(served, {"id": "at-limit", "text": "나" * MAX_TEXT}))["state"] == "done"


def test_an_unknown_job_is_404(served: str) -> None:
    missing = httpx.get(f"{served}/v1/documents/jobs/no-such-job")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_the_schema_documents_the_accepted_answer(served: str) -> None:
    paths = httpx.get(f"{served}/openapi.json").json()["paths"]
    for path in ("/v1/documents", "/v1/documents/text"):
        assert "202" in paths[path]["post"]["responses"] and "201" in paths[path]["post"]["responses"]
    assert "404" in paths["/v1/documents/jobs/{job_id}"]["get"]["responses"]


def test_nothing_is_left_staged(settings: Settings) -> None:
    assert settings.corpus_dir is not None
    assert not [p.name for p in settings.corpus_dir.iterdir() if p.name.startswith(".")]


def test_the_listing_and_a_writes_answer_read_the_index_once_whatever_the_number_of_documents(
    served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not one listing of the index per document (on Milvus every listing is a scan of its side collection)."""
    from assistant.store.local import LocalStore

    calls: list[int] = []
    real = LocalStore.documents

    def counted(self: LocalStore) -> Any:
        calls.append(1)
        return real(self)

    monkeypatch.setattr(LocalStore, "documents", counted)
    documents = httpx.get(f"{served}/v1/documents", timeout=30).json()["documents"]
    assert len(documents) >= 3 and len(calls) == 1
    lines = [f'{{"id": "listing-{n}", "title": "목록 {n}", "text": "목록 시험 문서 {n}번."}}' for n in range(3)]
    calls.clear()
    upload = httpx.post(f"{served}/v1/documents", files={"file": ("listing.jsonl", "\n".join(lines).encode())})
    assert upload.status_code == 201, upload.text
    answered = upload.json()["documents"]
    assert [d["id"] for d in answered] == ["listing-0", "listing-1", "listing-2"]
    assert all(d["passages"] == 1 and d["title"].startswith("목록") for d in answered)
    after = {d["id"]: d for d in httpx.get(f"{served}/v1/documents", timeout=30).json()["documents"]}
    assert all(after[d["id"]] == d for d in answered)
    assert len(calls) == 2  # one for the write's answer (three documents), one for the listing above
