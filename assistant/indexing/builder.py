"""Use-cases over the index folder: build or sync it from a corpus, add or remove documents, open it.

Each change is applied in memory and written as a new generation, so the index being served stays
intact until the new one is complete.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..embedding.base import create_embedder
from ..errors import DocumentError, IndexMismatchError, IndexNotFoundError, IngestError
from ..ingest.corpus import CorpusReport, read_corpus, read_file
from ..records import Document
from ..retrieval.retriever import Retriever
from ..settings import Settings
from .corpus_location import corpus_folder, corpus_record
from .search_index import Progress, SearchIndex
from .storage import Lease, has_index, write_lock

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    """What a build or update did."""

    mode: str  # "full", "incremental" or "unchanged"
    documents: int = 0
    passages: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    folder: str = ""


def open_index(settings: Settings, index_dir: Path | None = None, lease: Lease | None = None) -> SearchIndex:
    """Load the index the settings point at (or the leased generation), checking it was built with the same
    settings."""
    return SearchIndex.load(index_dir or settings.index_dir, settings, create_embedder(settings.embedder), lease)


def open_retriever(settings: Settings, index_dir: Path | None = None) -> Retriever:
    """A retriever over the current index, through the search store the settings name."""
    from ..store.base import open_store

    if index_dir is not None:
        settings = settings.model_copy(update={"index_dir": index_dir})
    return Retriever(open_store(settings), settings.retrieval)


def build_index(
    settings: Settings,
    corpus_dir: Path | None = None,
    index_dir: Path | None = None,
    full: bool = False,
    on_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Bring the index in line with the corpus: only new, changed and deleted documents are processed,
    unless ``full`` is set, no index exists yet, or the existing one was built with other settings.

    The index folder's write lock is held throughout, so an upload cannot land between the corpus being read
    and the index being saved (and be taken for a deleted document)."""
    index_dir = index_dir or settings.index_dir
    corpus_dir = corpus_dir or corpus_folder(settings, index_dir)
    with write_lock(index_dir):  # also for a remote store: one writer at a time among this machine's processes
        if settings.store.backend != "local":
            from ..store.sync import sync_store

            return sync_store(
                settings.model_copy(update={"index_dir": index_dir}), corpus_dir, full, on_total, progress
            )
        return _build(settings, corpus_dir, index_dir, full, on_total, progress)


def read_corpus_for_build(corpus_dir: Path) -> CorpusReport:
    """The corpus a build reads, refused when it holds no readable document (the index is then left alone)."""
    log.info("reading the corpus in %s", corpus_dir)
    corpus = read_corpus(corpus_dir)
    if not corpus.documents:
        raise IngestError(
            f"No documents could be read from '{corpus_dir}'"
            + (f" ({len(corpus.skipped)} files skipped, see the log)" if corpus.skipped else "")
            + ". Add .md, .html, .txt, .jsonl, .pdf, .docx or .hwpx files and build again; the existing index was left "
            "as it was."
        )
    return corpus


def read_files_to_add(paths: Sequence[Path], known: Container[str]) -> tuple[list[Document], BuildReport]:
    """The documents in these files and a report naming each added or updated (``known`` ids) and each file
    skipped; refused when no file holds a readable document."""
    documents: list[Document] = []
    report = BuildReport(mode="incremental")
    for path in paths:
        for item in read_file(path):
            if isinstance(item, DocumentError):
                report.skipped.append(str(item))
                continue
            documents.append(item)
            (report.updated if item.id in known else report.added).append(item.id)
    if not documents:
        raise IngestError("None of the given files held a readable document: " + "; ".join(report.skipped))
    return documents, report


def refuse_unknown(document_ids: Sequence[str], known: Container[str]) -> None:
    """Raise, listing them, when some of these ids are not among the ``known`` documents."""
    unknown = [d for d in document_ids if d not in known]
    if unknown:
        raise IngestError(
            f"No document with id {', '.join(map(repr, unknown))} in the index. See: assistant index info"
        )


def _build(
    settings: Settings, corpus_dir: Path, index_dir: Path, full: bool,
    on_total: Callable[[int], None] | None, progress: Progress | None,
) -> BuildReport:  # fmt: skip
    started = time.perf_counter()
    corpus = read_corpus_for_build(corpus_dir)
    index = None if full else _existing(settings, index_dir)
    if index is None:
        index = SearchIndex(settings, create_embedder(settings.embedder))
        report = BuildReport(mode="full", added=[d.id for d in corpus.documents])
        changed = corpus.documents
    else:
        report, changed = _diff(index, corpus.documents)
    report.skipped = corpus.skipped
    log.info(
        "indexing %d new or changed documents, removing %d (%s build of %d documents)",
        len(changed), len(report.removed), report.mode, len(corpus.documents),
    )  # fmt: skip
    if on_total:
        on_total(len(changed))
    if report.removed:
        index.remove_documents(report.removed)
    if changed:
        index.add_documents(changed, progress=progress)
    record = corpus_record(corpus_dir, index_dir)
    moved = index.corpus_folder != record  # built before it was recorded, or from another folder
    index.corpus_folder = record
    if report.mode != "unchanged" or moved or not has_index(index_dir):
        report.folder = str(index.save(index_dir))
    _summarise(report, index, started)
    return report


def add_files(settings: Settings, paths: Sequence[Path], index_dir: Path | None = None) -> BuildReport:
    """Add (or replace) the documents in these files; the rest of the index is untouched."""
    index_dir = index_dir or settings.index_dir
    with write_lock(index_dir):  # no other write between loading the latest index and saving it
        if settings.store.backend != "local":
            from ..store.sync import add_to_store

            return add_to_store(settings.model_copy(update={"index_dir": index_dir}), paths)
        return _add_files(settings, paths, index_dir)


def _add_files(settings: Settings, paths: Sequence[Path], index_dir: Path) -> BuildReport:
    started = time.perf_counter()
    index = open_index(settings, index_dir)
    documents, report = read_files_to_add(paths, index.documents)
    index.add_documents(documents)
    report.folder = str(index.save(index_dir))
    _summarise(report, index, started)
    return report


def remove_documents(settings: Settings, document_ids: Sequence[str], index_dir: Path | None = None) -> BuildReport:
    """Remove documents by id; unknown ids are an error that lists them."""
    index_dir = index_dir or settings.index_dir
    with write_lock(index_dir):  # no other write between loading the latest index and saving it
        if settings.store.backend != "local":
            from ..store.sync import remove_from_store

            return remove_from_store(settings.model_copy(update={"index_dir": index_dir}), document_ids)
        return _remove_documents(settings, document_ids, index_dir)


def _remove_documents(settings: Settings, document_ids: Sequence[str], index_dir: Path) -> BuildReport:
    started = time.perf_counter()
    index = open_index(settings, index_dir)
    refuse_unknown(document_ids, index.documents)
    index.remove_documents(document_ids)
    report = BuildReport(mode="incremental", removed=list(document_ids))
    report.folder = str(index.save(index_dir))
    _summarise(report, index, started)
    return report


def _existing(settings: Settings, index_dir: Path) -> SearchIndex | None:
    try:
        return open_index(settings, index_dir)
    except IndexNotFoundError:
        return None
    except IndexMismatchError as error:
        log.warning("%s Rebuilding from scratch.", error)
        return None


def _diff(index: SearchIndex, documents: list[Document]) -> tuple[BuildReport, list[Document]]:
    report = BuildReport(mode="incremental")
    changed: list[Document] = []
    for document in documents:
        entry = index.documents.get(document.id)
        if entry is None:
            report.added.append(document.id)
            changed.append(document)
        elif entry.checksum != document.checksum:
            report.updated.append(document.id)
            changed.append(document)
    present = {d.id for d in documents}
    report.removed = [doc_id for doc_id in index.documents if doc_id not in present]
    if not (changed or report.removed):
        report.mode = "unchanged"
    return report, changed


def _summarise(report: BuildReport, index: SearchIndex, started: float) -> None:
    report.documents = len(index.documents)
    report.passages = len(index.passages)
    report.languages = dict(sorted(index.passages.language_counts().items()))
    report.seconds = time.perf_counter() - started
    log.info(
        "index %s: %d documents, %d passages (%d added, %d updated, %d removed, %d skipped) in %.1fs",
        report.mode, report.documents, report.passages, len(report.added), len(report.updated),
        len(report.removed), len(report.skipped), report.seconds,
    )  # fmt: skip
