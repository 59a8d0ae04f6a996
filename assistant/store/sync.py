"""Bringing a search store in line with a corpus folder through the contract alone (what ``index build`` does
for every backend but ``local``, whose builder writes one generation for the whole build)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import IndexMismatchError, IngestError
from ..indexing.builder import BuildReport, Progress
from ..ingest.corpus import read_corpus
from ..settings import Settings
from .base import SearchStore, open_store

log = logging.getLogger(__name__)

BATCH = 128  # documents analysed and written at a time


def sync_store(
    settings: Settings,
    corpus_dir: Path,
    full: bool = False,
    on_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Write new and changed documents, delete those gone from the corpus (everything again when ``full`` or
    when the store was built with other settings)."""
    started = time.perf_counter()
    log.info("reading the corpus in %s", corpus_dir)
    corpus = read_corpus(corpus_dir)
    if not corpus.documents:
        raise IngestError(
            f"No documents could be read from '{corpus_dir}'. Add .md, .html, .txt, .jsonl, .pdf, .docx or .hwpx "
            "files and build again; the existing index was left as it was."
        )
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
        for start in range(0, len(changed), BATCH):
            batch = changed[start : start + BATCH]
            store.replace(store.analyse(batch))
            if progress:
                progress(len(batch))
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
