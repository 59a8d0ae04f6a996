"""What the cross-process tests run in other processes (spawned: each child imports this module afresh)."""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Barrier
from pathlib import Path

from assistant.settings import Settings

SPAWN = multiprocessing.get_context("spawn")


def live_writer(settings: Settings, prefix: str, count: int, start: Barrier) -> None:
    """Add ``count`` documents one by one through a live index (what a serving worker does)."""
    from assistant.indexing.live import LiveIndex

    live = LiveIndex(settings)
    start.wait(120)
    try:
        for i in range(count):
            live.add_text({"id": f"{prefix}-{i}", "title": f"{prefix} {i}", "text": f"{prefix} 문서 {i}번: 울산 수소."})
    finally:
        live.close()


def file_writer(settings: Settings, files: list[Path], start: Barrier) -> None:
    """Add files one by one as ``assistant index add`` does."""
    from assistant.indexing.builder import add_files

    start.wait(120)
    for path in files:
        add_files(settings, [path])


def lease_holder(root: Path, pipe: Connection) -> None:
    """Lease the current generation, say which, hold it until told to let go, then say so."""
    from assistant.indexing.storage import lease_current

    lease = lease_current(root)
    pipe.send(lease.name)
    pipe.recv()
    lease.release()
    pipe.send("released")
    pipe.recv()  # stay alive until the test is done


def run(target: object, *args: object) -> multiprocessing.process.BaseProcess:
    """Start ``target(*args)`` in a spawned process."""
    process = SPAWN.Process(target=target, args=args)
    process.start()
    return process
