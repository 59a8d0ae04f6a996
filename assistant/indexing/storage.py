"""The index folder on disk: numbered generations and a ``CURRENT`` pointer, swapped atomically.

    index/
      CURRENT            name of the generation being served (replaced with os.replace)
      gen-<time>-<id>/   manifest.json, passages.*, documents.json, keys.npy, keyword.*, vectors.faiss
      .building-*/       a generation being written; never read
      .lock              locked (flock) by the one process writing, for its whole load → change → save
      .jobs/             background indexing jobs, one JSON file each (``job_files``)

A writer holds ``.lock`` (``write_lock``) from loading the latest generation to publishing its own, so
writes from any process or thread follow one another and none is lost; ``new_generation`` takes it too
(re-entrantly: a thread holding it already just goes on). Holding it, a writer clears what dead writers
left behind (``.building-*`` folders and pointer files never put in place: no live writer can own them
while the lock is held), writes a complete new generation with a pointer file inside it, syncs it to
disk, renames it into place and only then replaces ``CURRENT`` with that pointer. So ``kill -9`` at any
moment leaves the previous index serving: before the rename only a ``.building-*`` folder exists, after
it a complete generation that nothing points at; the next writer removes either. The generation
``CURRENT`` pointed at before is kept (one step of undo); every other one is removed once the new one is
current, except those a reader holds.

Readers lease the generation they read (``lease_current``): a shared flock on its ``manifest.json``,
held while loading and, by a serving process, for as long as it serves it (FAISS vectors, passages and
keyword weights are memory-mapped from it). Pruning takes the same lock exclusively without waiting and skips a
generation it cannot get, so no generation a live process reads is removed; a later write removes it once let go.
A process that loaded a generation without keeping the lease (a writer, under the write lock) still reads its
mapped files once they are removed: POSIX keeps a removed file's pages while they are mapped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import IndexNotFoundError

log = logging.getLogger(__name__)

POINTER = "CURRENT"
LOCK = ".lock"
_READ_LOCK = "manifest.json"  # every generation has one; readers flock it shared, pruning exclusively
_NEW_POINTER = f".{POINTER}.new"  # written inside a generation, then moved over CURRENT
_STALE_AFTER = 3600.0  # without flock (Windows), leftovers this old (seconds) are taken for dead


def current_generation(root: Path) -> Path:
    """The folder of the generation being served."""
    name = _pointed_at(root)
    if name is None:
        raise IndexNotFoundError(
            f"No index in '{root}'. Build one with: assistant index build --corpus CORPUS --index {root}"
        )
    folder = root / name
    if not (folder / "manifest.json").is_file():
        raise IndexNotFoundError(
            f"The index in '{root}' points at '{folder.name}', which is missing or incomplete. "
            f"Rebuild it with: assistant index build --index {root}"
        )
    return folder


def current_name(root: Path) -> str | None:
    """The name of the generation ``CURRENT`` points at (``None`` without one); one small read."""
    return _pointed_at(root)


@dataclass
class Lease:
    """A reader's hold on one generation: while held, pruning leaves the generation's folder alone."""

    folder: Path
    _descriptor: int | None

    @property
    def name(self) -> str:
        """The generation's name."""
        return self.folder.name

    def release(self) -> None:
        """Let the generation go (pruning may remove it from now on); releasing twice is harmless."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lease_current(root: Path, attempts: int = 20) -> Lease:
    """Lease the generation being served; retried when a writer replaced and pruned it meanwhile."""
    for _ in range(attempts):
        folder = current_generation(root)
        lease = lease_generation(folder)
        if lease is not None:
            return lease
    raise IndexNotFoundError(f"The index in '{root}' kept changing while it was being opened; try again.")


def lease_generation(folder: Path) -> Lease | None:
    """Lease this generation, or ``None`` when it is gone (pruned before the lease was taken)."""
    try:
        descriptor = os.open(folder / _READ_LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return None
    _lock_shared(descriptor)
    if not (folder / _READ_LOCK).is_file():  # pruned between the open and the lock
        os.close(descriptor)
        return None
    return Lease(folder, descriptor)


def has_index(root: Path) -> bool:
    """Whether a usable generation exists."""
    try:
        current_generation(root)
    except IndexNotFoundError:
        return False
    return True


@contextlib.contextmanager
def new_generation(root: Path) -> Iterator[Path]:
    """A fresh folder to write a generation into; published only if the block finishes without error.

    One writer at a time per index folder (other processes wait for ``.lock``).
    """
    root.mkdir(parents=True, exist_ok=True)
    with write_lock(root):
        _clear_leftovers(root)
        name = f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        staging = root / f".building-{name}"
        staging.mkdir()
        previous = _pointed_at(root)
        log.info("writing index generation %s in %s", name, root)
        try:
            yield staging
            (staging / _NEW_POINTER).write_text(name + "\n", encoding="utf-8")
            _fsync_tree(staging)
            log.info("publishing index generation %s", name)
            final = root / name
            staging.rename(final)
            _fsync_directory(root)
            os.replace(final / _NEW_POINTER, root / POINTER)
            _fsync_directory(root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        log.info("index generation %s is current", name)
        _prune(root, keep={name, previous})


@contextlib.contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """Hold the index folder's write lock for a whole load → change → save sequence (every process and thread
    waits its turn). Re-entrant within a thread, so ``new_generation`` inside the block does not wait on it."""
    root.mkdir(parents=True, exist_ok=True)
    key = str(root.resolve())
    held: dict[str, int] = _held.__dict__.setdefault("roots", {})
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    with _writer_lock(root):
        held[key] = 1
        try:
            yield
        finally:
            del held[key]


_held = threading.local()  # per thread: the index folders whose write lock it holds, and how deeply


def _pointed_at(root: Path) -> str | None:
    pointer = root / POINTER
    try:
        return pointer.read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, IsADirectoryError):
        return None


if sys.platform != "win32":
    import fcntl

    @contextlib.contextmanager
    def _writer_lock(root: Path) -> Iterator[None]:
        """Hold ``root/.lock`` exclusively; the kernel lets go of it when the process dies, even by SIGKILL."""
        descriptor = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("waiting for another process writing the index in %s", root)
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def _is_stale(path: Path) -> bool:
        return True  # the writer lock is held: whoever left it is gone

    def _lock_shared(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_SH)

    def _lock_to_remove(descriptor: int) -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

else:  # pragma: no cover - Windows has no flock: one process, its threads take turns
    _process_lock = threading.Lock()

    @contextlib.contextmanager
    def _writer_lock(root: Path) -> Iterator[None]:
        with _process_lock:
            yield

    def _lock_shared(descriptor: int) -> None:
        pass

    def _lock_to_remove(descriptor: int) -> bool:
        return True

    def _is_stale(path: Path) -> bool:
        return path.stat().st_mtime < time.time() - _STALE_AFTER


def _clear_leftovers(root: Path) -> None:
    """Remove what writers that died left: half-written generations and pointer files never moved in place."""
    for leftover in root.glob(".building-*"):
        if leftover.is_dir() and _is_stale(leftover):
            log.info("removing %s, left by a build that did not finish", leftover.name)
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in root.glob(f".{POINTER}.*"):  # older versions wrote the new pointer beside CURRENT
        if leftover.is_file() and _is_stale(leftover):
            leftover.unlink(missing_ok=True)


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_directory(folder)


def _fsync_directory(folder: Path) -> None:
    """Make renames and new entries in a folder durable (a no-op where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _prune(root: Path, keep: set[str | None]) -> None:
    """Remove every generation but the current one and the one it replaced (and any a dead build published
    without pointing at it), leaving alone those a reader holds a lease on."""
    for generation in root.glob("gen-*"):
        if generation.is_dir() and generation.name not in keep:
            _remove_unless_read(generation)


def _remove_unless_read(generation: Path) -> None:
    try:
        descriptor = os.open(generation / _READ_LOCK, os.O_RDONLY)
    except FileNotFoundError:  # no manifest: never complete, nobody can read it
        shutil.rmtree(generation, ignore_errors=True)
        return
    try:
        if not _lock_to_remove(descriptor):
            log.info("keeping generation %s for now: a process still reads it", generation.name)
            return
        (generation / _READ_LOCK).unlink()  # first, so a reader that got its lease too late sees it gone
        shutil.rmtree(generation, ignore_errors=True)
    finally:
        os.close(descriptor)
