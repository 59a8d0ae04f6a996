"""The index folder on disk: numbered generations and a ``CURRENT`` pointer, swapped atomically.

    index/
      CURRENT            name of the generation being served (replaced with os.replace)
      gen-<time>-<id>/   manifest.json, passages.jsonl, documents.json, keys.npy, *.npz, vectors.faiss
      .building-*/       a generation being written; never read, removed if a build dies

A build writes a complete new generation and only then points ``CURRENT`` at it, so a crash at any
moment leaves the previous index serving. The previous generation is kept (one step of undo).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from ..errors import IndexNotFoundError

log = logging.getLogger(__name__)

POINTER = "CURRENT"
KEEP = 2


def current_generation(root: Path) -> Path:
    """The folder of the generation being served."""
    pointer = root / POINTER
    if not pointer.is_file():
        raise IndexNotFoundError(
            f"No index in '{root}'. Build one with: assistant index build --corpus CORPUS --index {root}"
        )
    folder = root / pointer.read_text(encoding="utf-8").strip()
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
    """A fresh folder to write a generation into; published only if the block finishes without error."""
    root.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    staging = root / f".building-{name}"
    staging.mkdir()
    try:
        yield staging
        _fsync_tree(staging)
        final = root / name
        staging.rename(final)
        _point_at(root, name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _prune(root, keep=name)


def _point_at(root: Path, name: str) -> None:
    temporary = root / f".{POINTER}.{uuid.uuid4().hex[:6]}"
    temporary.write_text(name + "\n", encoding="utf-8")
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, root / POINTER)


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def _prune(root: Path, keep: str) -> None:
    """Remove old generations beyond the last ``KEEP`` and leftovers of builds that died."""
    generations = sorted((p for p in root.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
    for old in generations[:-KEEP]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in root.glob(".building-*"):
        if leftover.is_dir() and leftover.stat().st_mtime < time.time() - 3600:
            shutil.rmtree(leftover, ignore_errors=True)
