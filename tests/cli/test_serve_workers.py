"""``assistant serve --workers 2`` over the local index folder and over Milvus + Redis, as a subprocess
(issue 15 §4, "Done means"): 12 documents uploaded at once are all kept, listed and found by every following
request whichever worker answers; deleted ones are never returned again; a large upload's job is followed from
either worker; one conversation continued across workers keeps every turn."""

from __future__ import annotations

import contextlib
import shutil
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from assistant.api.factory import WORKER_HEADER
from tests.cli.serve_process import serving
from tests.cli.test_cli import run
from tests.cli.test_serve_command import _env
from tests.conftest import CORPUS
from tests.store.milvus_server import milvus_uri

# Made-up words found in no demo document: searching one finds its document and only it.
WORDS = ["Quorvex", "Zintaro", "Brellum", "Skavoni", "Trumelt", "Voskrin", "Plendor", "Graxiel", "Mordune", "Feltrix",
         "Yarnoch", "Disquel"]  # fmt: skip
DELETED = {"upload-0", "upload-5", "upload-11"}
ROUNDS = 2  # at least this many rounds of checks, and more until both workers have answered


@pytest.fixture(scope="module", params=["local", "milvus+redis"])
def served(
    request: pytest.FixtureRequest, demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Two workers (one service for the module: each test's documents are its own); yields the URL.

    ``local``: a copy of the demo index and corpus, SQLite conversations. ``milvus+redis``: the demo corpus
    indexed into a real milvus-lite server (or ``MILVUS_URI``) at start, conversations and rate-limit windows
    in a real redis-server."""
    tmp_path = tmp_path_factory.mktemp("workers")
    index, corpus = tmp_path / "index", tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    common = {"ASSISTANT_API__RATE_LIMIT": "0", "ASSISTANT_API__BACKGROUND_ABOVE_CHARS": "2000"}
    args = ["--port", "0", "--index", str(index), "--corpus", str(corpus), "--workers", "2"]
    with contextlib.ExitStack() as stack:
        if request.param == "local":
            shutil.copytree(demo_index_dir, index)
            env = _env(tmp_path, ASSISTANT_CONVERSATIONS__BACKEND="sqlite",
                       ASSISTANT_CONVERSATIONS__PATH=str(tmp_path / "c.sqlite3"), **common)  # fmt: skip
        else:
            redis = request.getfixturevalue("redis_server")
            (tmp_path / "milvus").mkdir()
            uri = stack.enter_context(milvus_uri(tmp_path / "milvus"))
            env = _env(
                tmp_path, ASSISTANT_STORE__BACKEND="milvus", ASSISTANT_STORE__URI=uri,
                ASSISTANT_STORE__COLLECTION=f"workers_{uuid.uuid4().hex[:8]}", ASSISTANT_REDIS__URL=redis.url,
                ASSISTANT_REDIS__PREFIX=f"workers-{uuid.uuid4().hex[:8]}:", **common,
            )  # fmt: skip
            del env["ASSISTANT_CONVERSATIONS__BACKEND"]  # the default: Redis when a Redis URL is set
        served = stack.enter_context(serving(args, tmp_path, env, timeout=300))
        url, lines = served
        assert sum("serving on" in line for line in lines) == 1
        yield url


def until_both_answer(check: Callable[[], set[str]], limit: int = 200) -> None:
    """Run ``check`` (it returns the workers that answered it) for ``ROUNDS`` rounds and on until two workers have
    answered; each round must pass whichever worker answers."""
    workers: set[str] = set()
    for round_ in range(limit):
        workers |= check()
        if round_ + 1 >= ROUNDS and len(workers) >= 2:
            return
    pytest.fail(f"only worker {workers} answered {limit} rounds")


def test_writes_from_both_workers_are_seen_by_both(served: str) -> None:
    url = served

    def upload(i: int) -> httpx.Response:
        document = {"id": f"upload-{i}", "title": f"업로드 {i}", "text": f"{WORDS[i]} 기념관은 {i + 1}월에 문을 연다."}
        return httpx.post(f"{url}/v1/documents/text", json=document, timeout=120)

    with ThreadPoolExecutor(12) as pool:  # 12 clients at once, one connection each
        uploads = list(pool.map(upload, range(12)))
    assert [r.status_code for r in uploads] == [201] * 12, [r.text for r in uploads if r.status_code != 201]
    assert len({r.headers[WORKER_HEADER] for r in uploads}) >= 1
    uploaded = {f"upload-{i}" for i in range(12)}

    def listed_and_found(gone: set[str]) -> set[str]:
        listing = httpx.get(f"{url}/v1/documents", timeout=60)
        ids = {d["id"] for d in listing.json()["documents"]}
        assert uploaded - gone <= ids and not ids & gone, listing.headers[WORKER_HEADER]
        workers = {listing.headers[WORKER_HEADER]}
        for i, word in enumerate(WORDS):
            found = httpx.get(f"{url}/v1/search", params={"q": word, "k": 3}, timeout=60)
            hits = [hit["document_id"] for hit in found.json()["hits"]]
            if f"upload-{i}" in gone:
                assert f"upload-{i}" not in hits, found.headers[WORKER_HEADER]
            else:
                assert hits[:1] == [f"upload-{i}"], (word, hits, found.headers[WORKER_HEADER])
            workers.add(found.headers[WORKER_HEADER])
        return workers

    until_both_answer(lambda: listed_and_found(set()))
    for document_id in sorted(DELETED):
        deleted = httpx.delete(f"{url}/v1/documents/{document_id}", timeout=60)
        assert deleted.status_code == 200 and deleted.json()["deleted"], deleted.text
    until_both_answer(lambda: listed_and_found(DELETED))
    again = httpx.delete(f"{url}/v1/documents/upload-0", timeout=60)
    assert again.status_code == 404  # gone for every worker


def test_a_background_job_is_followed_from_either_worker(served: str) -> None:
    url = served
    text = " ".join(f"Ostravel 해양 체험관 {n}호관은 {n % 12 + 1}월에 문을 연다." for n in range(120))
    accepted = httpx.post(f"{url}/v1/documents/text", json={"id": "big-one", "title": "큰 문서", "text": text},
                          timeout=60)  # fmt: skip
    assert accepted.status_code == 202, accepted.text
    location = url + accepted.headers["location"]
    states: list[str] = []

    def follow() -> set[str]:
        job = httpx.get(location, timeout=60)
        assert job.status_code == 200, (job.text, job.headers[WORKER_HEADER])
        states.append(job.json()["state"])
        return {job.headers[WORKER_HEADER]}

    until_both_answer(follow)
    deadline = time.monotonic() + 120
    while states[-1] not in ("done", "failed"):
        assert time.monotonic() < deadline, states
        follow()
        time.sleep(0.1)
    assert states[-1] == "done"

    def found() -> set[str]:
        hits = httpx.get(f"{url}/v1/search", params={"q": "Ostravel"}, timeout=60)
        assert hits.json()["hits"][0]["document_id"] == "big-one"
        jobs = httpx.get(f"{url}/v1/documents/jobs", timeout=60)
        assert accepted.json()["id"] in [job["id"] for job in jobs.json()["jobs"]]
        return {hits.headers[WORKER_HEADER], jobs.headers[WORKER_HEADER]}

    until_both_answer(found)


def test_one_conversation_continued_across_workers_keeps_every_turn(served: str) -> None:
    url = served
    asked: list[str] = []
    conversation: str | None = None

    def ask() -> set[str]:
        nonlocal conversation
        question = f"가상융합산업 기본계획의 중점 방향은 몇 가지인가요? ({len(asked) + 1})"
        body = {"question": question, **({"conversation_id": conversation} if conversation else {})}
        answer = httpx.post(f"{url}/v1/answer", json=body, timeout=120)
        assert answer.status_code == 200, answer.text
        conversation = answer.json()["conversation_id"]
        asked.append(question)
        return {answer.headers[WORKER_HEADER]}

    until_both_answer(ask, limit=40)

    def read() -> set[str]:
        turns = httpx.get(f"{url}/v1/conversations/{conversation}", timeout=60)
        assert [turn["question"] for turn in turns.json()["turns"]] == asked
        return {turns.headers[WORKER_HEADER]}

    until_both_answer(read)


def test_a_busy_port_is_one_line_with_the_fix_with_workers_too(demo_index_dir: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("serve", "--port", str(port), "--index", str(demo_index_dir), "--workers", "2", cwd=tmp_path,
                   env=_env(tmp_path))  # fmt: skip
    assert done.returncode == 2
    assert f"Cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr


def test_an_index_the_workers_cannot_open_is_one_line_before_any_worker_starts(
    demo_index_dir: Path, tmp_path: Path
) -> None:
    env = _env(tmp_path, ASSISTANT_EMBEDDER__DIMENSION="128")  # the demo index has 256
    done = run("serve", "--port", "0", "--index", str(demo_index_dir), "--workers", "2", cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert "built with other settings" in done.stderr and "assistant index build --full" in done.stderr
    assert "Traceback" not in done.stderr and "serving on" not in done.stderr and "[worker" not in done.stderr
