"""The index folder on disk: numbered generations and a ``CURRENT`` pointer, swapped atomically.

    index/
      CURRENT            name of the generation being served (replaced with os.replace)
      gen-<time>-<id>/   manifest.json, passages.jsonl, documents.json, keys.npy, *.npz, vectors.faiss
      .building-*/       a generation being written; never read
      .lock              locked (flock) by the one process writing a generation, for the whole write

A writer takes ``.lock``, clears what dead writers left behind (``.building-*`` folders and pointer
files never put in place: no live writer can own them while the lock is held), writes a complete new
generation with a pointer file inside it, syncs it to disk, renames it into place and only then
replaces ``CURRENT`` with that pointer. So ``kill -9`` at any moment leaves the previous index serving:
before the rename only a ``.building-*`` folder exists, after it a complete generation that nothing
points at; the next writer removes either. The generation ``CURRENT`` pointed at before is kept (one
step of undo); every other one is removed once the new one is current.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from ..errors import IndexNotFoundError

log = logging.getLogger(__name__)

POINTER = "CURRENT"
LOCK = ".lock"
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
    with _writer_lock(root):
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


def _pointed_at(root: Path) -> str | None:
    pointer = root / POINTER
    if not pointer.is_file():
        return None
    return pointer.read_text(encoding="utf-8").strip() or None


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

else:  # pragma: no cover - Windows has no flock

    @contextlib.contextmanager
    def _writer_lock(root: Path) -> Iterator[None]:
        yield

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
    without pointing at it)."""
    for generation in root.glob("gen-*"):
        if generation.is_dir() and generation.name not in keep:
            shutil.rmtree(generation, ignore_errors=True)
