"""The live index: writes analyse outside the lock, merge into the latest index, and large ones run as jobs."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from assistant.errors import DocumentTooLargeError
from assistant.indexing.builder import build_index, open_index
from assistant.indexing.jobs import IndexJob, JobState
from assistant.indexing.live import STAGING, LiveIndex
from assistant.settings import ApiSettings, Settings
from tests.conftest import CORPUS
from tests.indexing.gated_embedder import GatedEmbedder, gated_settings

SMALL_CORPUS = ["ko-xr-defense", "zh-hant-xr-medical", "ko-five-focus-points"]


def long_text(marker: str, chars: int) -> str:
    """Korean sentences with changing numbers, the marker in the first one, cut to ``chars``."""
    sentences = [f"{marker} 부산시는 해양 메타버스 체험관 바다누리를 연다."]
    n = 0
    while sum(len(s) + 1 for s in sentences) < chars:
        sentences.append(f"부산 해양 체험관 {n}호관은 {n % 12 + 1}월에 문을 열고 {n}명을 맞는다.")
        n += 1
    return " ".join(sentences)[:chars]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A small corpus and its index, built with the gated embedder; uploads over 2,000 characters become jobs."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in SMALL_CORPUS:
        (corpus / f"{name}.md").write_bytes((CORPUS / f"{name}.md").read_bytes())
    settings = Settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", embedder=gated_settings(),
        api=ApiSettings(background_above_chars=2000, max_text_chars=20_000, jobs_kept=5),
    )  # fmt: skip
    build_index(settings)
    return settings


@pytest.fixture
def live(settings: Settings):  # type: ignore[no-untyped-def]
    index = LiveIndex(settings)
    yield index
    index.close()


def wait_for(job: IndexJob, live: LiveIndex, seconds: float = 60) -> IndexJob:
    deadline = time.monotonic() + seconds
    while not (job := live.job(job.id)).finished:
        assert time.monotonic() < deadline, f"job still {job.state} after {seconds} s"
        time.sleep(0.02)
    return job


def test_a_small_write_finishes_while_a_large_one_is_being_analysed(live: LiveIndex, settings: Settings) -> None:
    with GatedEmbedder.gate("느린문서표지") as gate:
        large = threading.Thread(
            target=live.add_text,
            args=({"id": "slow-large", "title": "큰 문서", "text": long_text("느린문서표지", 3000)},),
        )
        large.start()
        assert gate.entered.wait(30), "the large write never reached its analysis"
        small = threading.Thread(
            target=live.add_text,
            args=({"id": "quick-small", "title": "작은 문서", "text": "작은 문서: 울산 수소 버스."},),
        )
        small.start()
        small.join(20)
        assert not small.is_alive(), "the small write waited for the large one's analysis"
        assert large.is_alive()  # still held in its analysis
        assert live.retriever.search("울산 수소 버스")[0].passage.document_id == "quick-small"
        gate.open()
        large.join(60)
    assert {"slow-large", "quick-small"} <= set(open_index(settings).documents)
    assert all((settings.corpus_dir / f"{doc}.jsonl").is_file() for doc in ("slow-large", "quick-small"))


def test_concurrent_writers_all_keep_their_documents(live: LiveIndex, settings: Settings) -> None:
    start = threading.Barrier(7)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        start.wait()
        try:
            if i == 6:
                live.add_file("note-file.md", "# 파일 문서\n\n대구시는 로봇 도서관을 연다.\n".encode())
            else:
                live.add_text(
                    {"id": f"writer-{i}", "title": f"문서 {i}", "text": f"동시 쓰기 문서 {i}번: 제주 풍력 {i}호기."}
                )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    expected = {f"writer-{i}" for i in range(6)} | {"note-file", *SMALL_CORPUS}
    assert set(open_index(settings).documents) == expected  # on disk, as the next start will load it
    assert {entry.id for entry in live.documents()} == expected  # and served
    assert {p.stem for p in settings.corpus_dir.iterdir()} == expected  # every file in, nothing staged left over
    assert all(p.is_file() for p in settings.corpus_dir.iterdir())


def test_a_large_upload_is_a_job_that_makes_it_searchable(live: LiveIndex, settings: Settings) -> None:
    small = live.submit_text({"id": "small-now", "title": "작은", "text": "광주 인공지능 센터가 문을 연다."})
    assert [d.id for d in small] == ["small-now"]  # type: ignore[union-attr]
    job = live.submit_text({"id": "big-later", "title": "큰 문서", "text": long_text("바다누리", 5000)})
    assert isinstance(job, IndexJob) and job.documents == ("big-later",) and job.characters == 5000
    done = wait_for(job, live)
    assert done.state is JobState.DONE and done.passages > 5 and done.error is None
    assert {"queued", "analyse", "lock_wait", "write", "total"} <= set(done.timings_ms)
    assert live.retriever.search("바다누리 체험관")[0].passage.document_id == "big-later"
    assert (settings.corpus_dir / "big-later.jsonl").is_file()


def test_a_failed_job_says_why_and_changes_nothing(live: LiveIndex, settings: Settings) -> None:
    before = set(open_index(settings).documents)
    with GatedEmbedder.gate("실패표지", fail=True):
        job = live.submit_text({"id": "doomed", "title": "실패", "text": long_text("실패표지", 4000)})
        assert isinstance(job, IndexJob)
        failed = wait_for(job, live)
    assert failed.state is JobState.FAILED and failed.error_code == "embedder_error"
    assert "refuses" in (failed.error or "")
    assert set(open_index(settings).documents) == before
    assert "doomed" not in {entry.id for entry in live.retriever.store.documents()}
    assert not (settings.corpus_dir / "doomed.jsonl").exists()
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == sorted(f"{n}.md" for n in SMALL_CORPUS)


def test_text_over_its_limit_is_refused_naming_the_setting(live: LiveIndex, settings: Settings) -> None:
    with pytest.raises(DocumentTooLargeError, match="ASSISTANT_API__MAX_TEXT_CHARS") as error:
        live.submit_text({"id": "too-long", "title": "긴", "text": "가" * 20_001})
    assert error.value.status_code == 413
    assert "too-long" not in open_index(settings).documents


def test_staging_left_by_a_dead_process_is_cleared_at_start(settings: Settings) -> None:
    assert settings.corpus_dir is not None
    dead = settings.corpus_dir / f"{STAGING}dead"
    dead.mkdir()
    (dead / "half.md").write_text("# 반쯤", encoding="utf-8")
    old = settings.corpus_dir / ".uploads"  # where earlier versions staged
    (old / "tmp1").mkdir(parents=True)
    long_ago = time.time() - 2 * 3600
    for path in (dead, old / "tmp1"):
        os.utime(path, (long_ago, long_ago))
    LiveIndex(settings).close()
    assert not dead.exists() and not old.exists()
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == sorted(f"{n}.md" for n in SMALL_CORPUS)
