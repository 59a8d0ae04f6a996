"""Bringing a search store in line with a corpus folder, or adding and removing files, through the contract alone
(what ``index build``, ``add`` and ``remove`` do for every backend but ``local``, whose builder writes one
generation for the whole build)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..errors import IndexMismatchError
from ..indexing.analysis import Analysis
from ..indexing.builder import BuildReport, Progress, read_corpus_for_build, read_files_to_add, refuse_unknown
from ..records import Document
from ..settings import Settings
from .base import BuiltAside, SearchStore, open_store

log = logging.getLogger(__name__)

BATCH = 128  # documents analysed at a time
WRITE = 20_000  # passages at most per write of a full build (its analyses are held in memory until written)


def sync_store(
    settings: Settings,
    corpus_dir: Path,
    full: bool = False,
    on_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Write new and changed documents, delete those gone from the corpus (everything again when ``full`` or
    when the store was built with other settings). A full build into a ``BuiltAside`` store is published only
    once it is whole; a failure discards it and the previous index keeps serving."""
    started = time.perf_counter()
    corpus = read_corpus_for_build(corpus_dir)
    try:
        store = open_store(settings, create=True, fresh=full)
    except IndexMismatchError as error:
        log.warning("%s Rebuilding from scratch.", error)
        store = open_store(settings, create=True, fresh=True)
        full = True
    try:
        existing = {entry.id: entry.checksum for entry in store.documents()}
        report = BuildReport(mode="full" if full or not existing else "incremental")
        changed = []
        for document in corpus.documents:
            known = existing.get(document.id)
            if known is None:
                report.added.append(document.id)
                changed.append(document)
            elif known != document.checksum:
                report.updated.append(document.id)
                changed.append(document)
        present = {d.id for d in corpus.documents}
        report.removed = [doc_id for doc_id in existing if doc_id not in present]
        report.skipped = corpus.skipped
        if not (changed or report.removed):
            report.mode = "unchanged"
        if on_total:
            on_total(len(changed))
        if report.removed:
            store.delete(report.removed)
        if report.mode == "full":
            write_all(store, changed, progress)
        else:
            for start in range(0, len(changed), BATCH):
                batch = changed[start : start + BATCH]
                store.replace(store.analyse(batch))
                if progress:
                    progress(len(batch))
        if isinstance(store, BuiltAside):
            store.publish()
        _summarise(report, store, started, settings)
    except BaseException:
        if isinstance(store, BuiltAside):
            store.discard()
        raise
    finally:
        store.close()
    return report


def write_all(store: SearchStore, documents: Sequence[Document], progress: Progress | None = None) -> None:
    """Write documents in as few writes as memory allows (one up to ``WRITE`` passages): the keyword weights of
    one write are normalised with the averages of the whole write, as the local build normalises them."""
    pending: list[Analysis] = []
    held = 0
    for start in range(0, len(documents), BATCH):
        batch = documents[start : start + BATCH]
        analysis = store.analyse(batch)
        if pending and held + len(analysis.passages) > WRITE:
            store.replace(joined(pending))
            pending, held = [], 0
        pending.append(analysis)
        held += len(analysis.passages)
        if progress:
            progress(len(batch))
    if pending:
        store.replace(joined(pending))


def joined(parts: Sequence[Analysis]) -> Analysis:
    """Analyses of different documents (made with the same settings) as one."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    vectors = None if first.vectors is None else np.concatenate([p.vectors for p in parts])
    return Analysis(
        documents=tuple(d for p in parts for d in p.documents),
        passage_counts=tuple(c for p in parts for c in p.passage_counts),
        passages=tuple(x for p in parts for x in p.passages),
        terms={name: [t for p in parts for t in p.terms[name]] for name in first.terms},
        vectors=vectors, embedder=first.embedder, chunking=first.chunking,
    )  # fmt: skip


def add_to_store(settings: Settings, paths: Sequence[Path]) -> BuildReport:
    """Add (or replace) the documents in these files."""
    started = time.perf_counter()
    store = open_store(settings)
    try:
        documents, report = read_files_to_add(paths, {entry.id for entry in store.documents()})
        store.replace(store.analyse(documents))
        _summarise(report, store, started, settings)
    finally:
        store.close()
    return report


def remove_from_store(settings: Settings, document_ids: Sequence[str]) -> BuildReport:
    """Remove documents by id; unknown ids are an error that lists them."""
    started = time.perf_counter()
    store = open_store(settings)
    try:
        refuse_unknown(document_ids, {entry.id for entry in store.documents()})
        store.delete(document_ids)
        report = BuildReport(mode="incremental", removed=list(document_ids))
        _summarise(report, store, started, settings)
    finally:
        store.close()
    return report


def _summarise(report: BuildReport, store: SearchStore, started: float, settings: Settings) -> None:
    stats = store.stats()
    report.documents, report.passages, report.languages = stats.documents, stats.passages, stats.languages
    report.seconds = time.perf_counter() - started
    report.folder = f"{settings.store.backend}: {settings.index_dir}"
    log.info(
        "index %s: %d documents, %d passages (%d added, %d updated, %d removed) in %.1fs",
        report.mode, report.documents, report.passages, len(report.added), len(report.updated),
        len(report.removed), report.seconds,
    )  # fmt: skip
