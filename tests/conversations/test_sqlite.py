"""The SQLite store shared by processes (``serve --workers N``): WAL mode, and turns that two processes add to
one conversation at the same time are all kept, each process's in its own order."""

from __future__ import annotations

import multiprocessing
import sqlite3
from multiprocessing.synchronize import Barrier
from pathlib import Path

from assistant.conversations.sqlite import SQLiteConversationStore
from assistant.records import Language, Turn
from assistant.settings import ConversationSettings

SPAWN = multiprocessing.get_context("spawn")
TURNS = 25


def turn(label: str, i: int) -> Turn:
    return Turn(f"{label} 질문 {i}", f"{label} {i}", f"{label} 답 {i}", (), Language.KOREAN, created_at=float(i))


def append_turns(path: Path, label: str, start: Barrier) -> None:
    """In a process of its own: open the store and add ``TURNS`` turns to the shared conversation."""
    store = SQLiteConversationStore(ConversationSettings(path=path, max_turns=1000))
    start.wait(120)
    for i in range(TURNS):
        store.append("shared", turn(label, i))
        store.append(f"own-{label}", turn(label, i))
    store.close()


def test_two_processes_adding_turns_at_once_lose_none(tmp_path: Path) -> None:
    path = tmp_path / "data" / "conversations.sqlite3"
    start = SPAWN.Barrier(2)
    writers = [SPAWN.Process(target=append_turns, args=(path, label, start)) for label in ("a", "b")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(300)
    assert [writer.exitcode for writer in writers] == [0, 0]
    store = SQLiteConversationStore(ConversationSettings(path=path, max_turns=1000))
    shared = [t.question for t in store.turns("shared")]
    assert len(shared) == 2 * TURNS
    for label in ("a", "b"):
        assert [q for q in shared if q.startswith(label)] == [f"{label} 질문 {i}" for i in range(TURNS)]
        assert store.turns(f"own-{label}") == [turn(label, i) for i in range(TURNS)]
    store.close()


def test_the_file_is_in_wal_mode_and_writes_wait_for_each_other(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = SQLiteConversationStore(ConversationSettings(path=path))
    other = sqlite3.connect(path)
    assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert store._db.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    other.close()
    store.close()
