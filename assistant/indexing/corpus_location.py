"""Which corpus folder goes with an index: builds read it and uploaded documents are written into it.

The first of these that applies:

    corpus_dir                      given with --corpus or ASSISTANT_CORPUS_DIR
    the folder the index came from  recorded in its manifest by ``index build``, relative to the index folder
    INDEX/../corpus                 ``corpus`` beside the index folder (./corpus beside the default ./index)

So ``assistant serve --index ~/notes/index`` started from any folder keeps uploads with the documents that
index was built from, and a rebuild without ``--corpus`` reads them again; never the current folder's
``corpus/`` by accident. The record is relative, so an index and its corpus moved together stay paired.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import AssistantError
from ..settings import Settings
from .manifest import Manifest
from .storage import current_generation


def corpus_folder(settings: Settings, index_dir: Path | None = None) -> Path:
    """The corpus folder for these settings and index folder (see the module docstring for the order)."""
    if settings.corpus_dir is not None:
        return settings.corpus_dir
    index_dir = index_dir or settings.index_dir
    return recorded_corpus(index_dir) or index_dir.parent / "corpus"


def recorded_corpus(index_dir: Path) -> Path | None:
    """The corpus folder the index in ``index_dir`` was built from, if it has one on record."""
    try:
        recorded = Manifest.read(current_generation(index_dir)).corpus_folder
    except (AssistantError, OSError, ValueError):  # no index yet, or one that cannot be read: nothing on record
        return None
    if not recorded:
        return None
    return Path(os.path.normpath(index_dir.absolute() / recorded))


def corpus_record(corpus_dir: Path, index_dir: Path) -> str:
    """How a manifest in ``index_dir`` records ``corpus_dir``: relative to it where possible."""
    try:
        return Path(os.path.relpath(corpus_dir.absolute(), index_dir.absolute())).as_posix()
    except ValueError:  # another drive (Windows): only an absolute path can say where
        return str(corpus_dir.absolute())
