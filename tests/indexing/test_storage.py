"""The index folder: what dead writers leave is never served and is cleared by the next writer; writers take turns."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from assistant.indexing.builder import build_index, open_index
from assistant.indexing.storage import (
    POINTER,
    current_generation,
    lease_current,
    lease_generation,
    new_generation,
    write_lock,
)
from assistant.retrieval.retriever import Retriever
from assistant.settings import Settings
from tests.indexing.test_search_index import copy_corpus


def entries(root: Path) -> set[str]:
    return {path.name for path in root.iterdir()}


def test_what_dead_builds_leave_is_never_served_and_the_next_build_clears_it(
    tmp_path: Path, settings: Settings
) -> None:
    corpus = copy_corpus(tmp_path, ["ko-xr-defense", "zh-hant-xr-medical"])
    build_index(settings, corpus_dir=corpus)
    root = settings.index_dir
    before = current_generation(root)
    # killed while writing: a half-written generation
    half = root / ".building-gen-20990101-000000-dead01"
    half.mkdir()
    (half / "passages.jsonl").write_text('{"id": "broken', encoding="utf-8")
    # killed between moving its folder into place and pointing at it: complete, newer, never served
    orphan = root / "gen-20990101-000001-dead02"
    shutil.copytree(before, orphan)
    (orphan / f".{POINTER}.new").write_text(orphan.name + "\n", encoding="utf-8")
    # an older version killed after writing its new pointer beside CURRENT
    (root / f".{POINTER}.0badc0").write_text("gen-nowhere\n", encoding="utf-8")

    assert current_generation(root) == before
    assert Retriever(open_index(settings), settings.retrieval).search("국방 가상훈련")

    (corpus / "new-note.txt").write_text("새 문서\n서울시는 가상 보신각 타종 행사를 연다.", encoding="utf-8")
    report = build_index(settings, corpus_dir=corpus)
    after = current_generation(root)
    assert report.added == ["new-note"] and after != before
    assert entries(root) == {POINTER, ".lock", before.name, after.name}  # the one it replaced is kept for undo
    assert "new-note" in open_index(settings).documents


def test_writers_take_turns_and_leave_each_other_s_folders_alone(tmp_path: Path) -> None:
    root = tmp_path / "index"
    inside, finish, second_done = threading.Event(), threading.Event(), threading.Event()
    names: dict[str, str] = {}

    def write(label: str, hold: bool) -> None:
        with new_generation(root) as folder:
            (folder / "manifest.json").write_text("{}", encoding="utf-8")
            names[label] = folder.name.removeprefix(".building-")
            if hold:
                inside.set()
                assert finish.wait(30)
        if not hold:
            second_done.set()

    first = threading.Thread(target=write, args=("first", True))
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=write, args=("second", False))
    second.start()
    try:
        assert not second_done.wait(0.5), "a second writer went ahead while the first was writing"
        assert (root / f".building-{names['first']}").is_dir()  # not taken for a dead build's leftover
    finally:
        finish.set()
        first.join(30)
        second.join(30)
    assert current_generation(root).name == names["second"]
    assert {names["first"], names["second"]} <= entries(root)


def test_a_failed_write_leaves_nothing_and_the_previous_generation_current(tmp_path: Path) -> None:
    root = tmp_path / "index"
    with new_generation(root) as folder:
        (folder / "manifest.json").write_text("{}", encoding="utf-8")
    served = current_generation(root)
    try:
        with new_generation(root) as folder:
            (folder / "manifest.json").write_text("{}", encoding="utf-8")
            raise OSError("disk full")
    except OSError:
        pass
    assert current_generation(root) == served
    assert entries(root) == {POINTER, ".lock", served.name}


def publish(root: Path) -> str:
    with new_generation(root) as folder:
        (folder / "manifest.json").write_text("{}", encoding="utf-8")
    return current_generation(root).name


def test_the_write_lock_spans_a_whole_sequence_and_is_re_entrant_in_its_thread(tmp_path: Path) -> None:
    root = tmp_path / "index"
    inside, finish = threading.Event(), threading.Event()
    order: list[str] = []

    def whole_write() -> None:
        with write_lock(root):  # load → change → save
            inside.set()
            publish(root)  # new_generation inside it goes on: the thread holds the lock already
            assert finish.wait(30)
            order.append("first")

    def other_write() -> None:
        with write_lock(root):
            order.append("second")

    first = threading.Thread(target=whole_write)
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=other_write)
    second.start()
    try:
        second.join(0.5)
        assert order == [], "another writer went ahead in the middle of a write"
    finally:
        finish.set()
        first.join(30)
        second.join(30)
    assert order == ["first", "second"]


def test_pruning_skips_a_leased_generation_until_it_is_let_go(tmp_path: Path) -> None:
    root = tmp_path / "index"
    oldest = publish(root)
    lease = lease_current(root)
    assert lease.name == oldest
    publish(root)
    publish(root)  # the oldest is neither current nor the one before: pruned, but for the lease
    assert oldest in entries(root)
    lease.release()
    lease.release()  # twice is harmless
    newest = publish(root)
    assert oldest not in entries(root) and newest in entries(root)
    assert lease_generation(root / oldest) is None  # gone: nothing to lease
