"""The index shared by processes (``serve --workers N``, ``assistant index add`` beside a server): writes from
several processes at once are all kept, a process swaps in what another wrote, and no generation a process
still reads is pruned."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.indexing.builder import add_files, build_index, open_index
from assistant.indexing.changes import change_feed
from assistant.indexing.live import LiveIndex
from assistant.indexing.storage import current_generation, lease_generation
from assistant.settings import RedisSettings, Settings
from assistant.shared.changes import RedisChangeFeed
from tests.cli.test_cli import run as run_cli
from tests.indexing.processes import SPAWN, file_writer, lease_holder, live_writer, run
from tests.indexing.test_search_index import copy_corpus

SMALL = ["ko-xr-defense", "zh-hant-xr-medical"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A two-document corpus and its index, with default settings (as the CLI run here has them)."""
    settings = Settings(corpus_dir=copy_corpus(tmp_path, SMALL), index_dir=tmp_path / "index")
    build_index(settings)
    return settings


def note(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(f"# {name}\n\n{text}\n", encoding="utf-8")
    return path


def generations(root: Path) -> set[str]:
    return {path.name for path in root.glob("gen-*")}


def test_two_processes_writing_at_once_keep_every_document(settings: Settings, tmp_path: Path) -> None:
    files = [note(tmp_path / "incoming", f"file-{i}", f"파일 문서 {i}번: 대구 로봇 도서관.") for i in range(4)]
    start = SPAWN.Barrier(2)
    writers = [run(live_writer, settings, "live", 4, start), run(file_writer, settings, files, start)]
    for writer in writers:
        writer.join(300)
    assert [writer.exitcode for writer in writers] == [0, 0]
    expected = {*SMALL, *(f"live-{i}" for i in range(4)), *(f"file-{i}" for i in range(4))}
    assert set(open_index(settings).documents) == expected
    assert {f"live-{i}.jsonl" for i in range(4)} <= {path.name for path in settings.corpus_dir.iterdir()}  # type: ignore[union-attr]


def test_a_process_swaps_in_what_another_process_wrote(settings: Settings, tmp_path: Path) -> None:
    live = LiveIndex(settings)
    try:
        assert not live.refresh()  # nothing changed: nothing loaded
        first = note(tmp_path / "elsewhere", "sejong-bus", "세종시는 자율주행 버스 노선을 새로 연다.")
        done = run_cli("index", "add", str(first), "--index", str(settings.index_dir), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "sejong-bus" not in {entry.id for entry in live.documents()}
        assert live.refresh() and not live.refresh()
        assert live.generation == current_generation(settings.index_dir).name
        assert live.retriever.search("세종시 자율주행 버스")[0].passage.document_id == "sejong-bus"

        live.watch()  # from now on without being asked
        second = note(tmp_path / "elsewhere", "jeju-wind", "제주도는 해상 풍력 단지를 넓힌다.")
        done = run_cli("index", "add", str(second), "--index", str(settings.index_dir), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 60
        while "jeju-wind" not in {entry.id for entry in live.documents()}:
            assert time.monotonic() < deadline, "the watcher never swapped the new generation in"
            time.sleep(0.05)
        assert live.retriever.search("제주도 해상 풍력")[0].passage.document_id == "jeju-wind"
    finally:
        live.close()


def test_a_generation_another_process_reads_is_not_pruned_until_it_lets_go(settings: Settings, tmp_path: Path) -> None:
    root = settings.index_dir
    ours, theirs = SPAWN.Pipe()
    holder = run(lease_holder, root, theirs)
    try:
        assert ours.poll(120), "the reading process never leased a generation"
        held = ours.recv()
        for i in range(3):  # each write keeps the current and the previous generation, and prunes the rest
            add_files(settings, [note(tmp_path / "incoming", f"note-{i}", f"{i}번째 새 문서: 광주 인공지능 센터.")])
        current = current_generation(root).name
        assert held in generations(root) and len(generations(root)) == 3  # current, previous, and the held one
        lease = lease_generation(root / held)
        assert lease is not None
        with lease:  # still whole: it loads
            assert set(open_index(settings, lease=lease).documents) == set(SMALL)
        ours.send("let go")
        assert ours.poll(60) and ours.recv() == "released"
        add_files(settings, [note(tmp_path / "incoming", "note-last", "마지막 문서: 부산 해양 체험관.")])
        assert held not in generations(root) and current in generations(root) and len(generations(root)) == 2
    finally:
        ours.send("bye")
        holder.join(60)


def test_with_redis_a_write_is_announced_to_every_other_live_index(
    settings: Settings, redis_settings: RedisSettings
) -> None:
    """Two serving processes' live indexes on one folder and one Redis: a write through one reaches the other
    through the channel (the other's pointer poll is left out, so only the announcement can bring it)."""
    settings = settings.model_copy(update={"redis": redis_settings})
    writer, reader = LiveIndex(settings), LiveIndex(settings)
    try:
        writer.watch(change_feed(settings))
        reader.watch(RedisChangeFeed(redis_settings, known=lambda: reader.generation))
        writer.add_text({"id": "ulsan-hydrogen", "title": "울산 수소", "text": "울산시는 수소 트램 시범 노선을 깐다."})
        deadline = time.monotonic() + 30
        while "ulsan-hydrogen" not in {entry.id for entry in reader.documents()}:
            assert time.monotonic() < deadline, "the announcement never reached the other live index"
            time.sleep(0.05)
        assert reader.generation == writer.generation
    finally:
        writer.close()
        reader.close()
