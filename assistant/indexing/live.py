"""The index being served, updated one document at a time while questions keep being answered.

Readers use whatever ``Retriever`` is current. A write has two steps. First, without any lock and beside
other writes, the upload is read and analysed: cut into passages, tokenised, embedded (the slow part,
seconds for a long document). Then, under the index folder's write lock (``storage.write_lock``: one
writer at a time across threads *and* processes, ``assistant index add`` included), the search store takes
the analysis in (the local store merges it into the latest index loaded from disk, writes a new generation
and swaps it in) and the upload is moved into the corpus folder. So a long document holds up other writes
only for its merge, and writes that overlap, from any process, never drop each other's documents. Deletions
take the lock only.

Other processes serving the same index (``serve --workers N``) search what another wrote after ``refresh``:
called by a ``ChangeFeed`` (``changes.py``) started with ``watch``, and before each request (the local store
swaps in the new generation; Milvus is searched in place and needs nothing).

Uploads holding more than ``api.background_above_chars`` characters are indexed as background jobs
(``jobs.py``), smaller ones before the call returns. Uploaded documents are also written into the corpus
folder (``corpus_location``: the one the index was built from unless another is configured), so a later full
build keeps them. Each upload is staged in a hidden folder of its own inside the corpus folder (the same file
system, so moving it in is atomic; hidden from builds) that is removed once it is indexed or refused.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DocumentError, DocumentTooLargeError, NotFoundError
from ..ingest.corpus import SUFFIXES, read_file
from ..records import Document
from ..retrieval.retriever import Retriever
from ..settings import Settings
from ..store.base import open_store
from ..text.validation import check_strings, check_text
from .changes import ChangeFeed, change_feed
from .corpus_location import corpus_folder
from .job_files import FOLDER as JOBS_FOLDER
from .job_files import JobFiles
from .jobs import IndexJob, IndexJobs, WriteReport
from .search_index import DocumentEntry
from .storage import write_lock

log = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"^[\w\-. ]{1,120}$")
STAGING = ".upload-"  # prefix of an upload's own staging folder inside the corpus folder (hidden from builds)
_OLD_UPLOADS = ".uploads"  # where earlier versions staged uploads; removed when empty
_STALE_UPLOAD = 3600.0  # seconds after which a staged upload is taken for one a dead process left


@dataclass(frozen=True)
class _Upload:
    """An upload read into documents, waiting in its own staging folder to be indexed and moved into the corpus."""

    name: str
    path: Path
    documents: tuple[Document, ...]

    @property
    def characters(self) -> int:
        return sum(len(d.text) for d in self.documents)

    def discard(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)


class LiveIndex:
    """Holds the served retriever and applies document uploads and deletions to it and to the corpus."""

    def __init__(self, settings: Settings, on_swap: Callable[[Retriever], None] | None = None) -> None:
        self.settings = settings
        self.corpus_dir = corpus_folder(settings)
        self.on_swap = on_swap
        self._store = open_store(settings)
        self._retriever = Retriever(self._store, settings.retrieval)
        self._feed: ChangeFeed | None = None
        files = JobFiles(settings.index_dir / JOBS_FOLDER)
        self.jobs = IndexJobs(settings.api.jobs_kept, settings.api.max_queued_jobs, files)
        _clear_stale_uploads(self.corpus_dir)

    @property
    def retriever(self) -> Retriever:
        """The retriever over the current index."""
        return self._retriever

    @property
    def generation(self) -> str | None:
        """The name of the generation served (None for a store searched in place, such as Milvus)."""
        return self._store.generation

    def refresh(self) -> bool:
        """Serve what another process wrote since, if anything (the local store swaps its generation in);
        returns whether it changed. One small file read when nothing changed."""
        if not self._store.refresh():
            return False
        if self.on_swap:
            self.on_swap(self._retriever)
        return True

    def watch(self, feed: ChangeFeed | None = None) -> None:
        """Follow writes by other processes: ``refresh`` whenever the feed says the index may have changed (by
        default the one the settings call for: the Redis channel, or polling ``CURRENT``). ``close`` stops it."""
        if self._feed is not None:
            self._feed.close()
        self._feed = feed or change_feed(self.settings)
        self._feed.start(self.refresh)

    def documents(self) -> list[DocumentEntry]:
        """The indexed documents, by id."""
        return self._store.documents()

    def document(self, document_id: str) -> DocumentEntry:
        """One indexed document."""
        entry = next((e for e in self._store.documents() if e.id == document_id), None)
        if entry is None:
            raise NotFoundError(f"No document with id '{document_id}'. GET /v1/documents lists them.")
        return entry

    def passage_count(self, document_id: str) -> int:
        """How many passages the document has in the current index."""
        return self.document(document_id).passages

    def add_file(self, filename: str, data: bytes) -> list[Document]:
        """Index an uploaded file now (replacing documents with the same ids) and keep it in the corpus."""
        return list(self._write(self._stage_file(filename, data)).documents)

    def add_text(self, document: dict[str, object]) -> list[Document]:
        """Index one document given as JSON (``id``, ``title``, ``text``, optional ``lang``, ``source``…) now."""
        return list(self._write(self._stage_text(document)).documents)

    def submit_file(self, filename: str, data: bytes) -> list[Document] | IndexJob:
        """Like ``add_file``, but a file holding more than ``api.background_above_chars`` characters is
        indexed in the background: the job is returned at once (its file was read and checked already)."""
        return self._submit(self._stage_file(filename, data))

    def submit_text(self, document: dict[str, object]) -> list[Document] | IndexJob:
        """Like ``add_text``, with the same rule as ``submit_file`` for long texts."""
        return self._submit(self._stage_text(document))

    def job(self, job_id: str) -> IndexJob:
        """A background indexing job by id."""
        return self.jobs.get(job_id)

    def close(self) -> None:
        """Stop following other processes' writes and the background jobs (queued ones fail and are
        discarded; a running one finishes), and let the served generation go."""
        if self._feed is not None:
            self._feed.close()
        self.jobs.close()
        self._store.close()

    def remove(self, document_id: str) -> int:
        """Remove a document from the index and its file from the corpus; returns the passages removed."""
        self.refresh()
        self.document(document_id)  # an id no process has written is refused without waiting for the lock
        with write_lock(self.settings.index_dir):
            removed = self._store.delete([document_id])
            if not removed and document_id not in {entry.id for entry in self._store.documents()}:
                raise NotFoundError(f"No document with id '{document_id}'. GET /v1/documents lists them.")
            self._remove_from_corpus(document_id)
            self._swap()
        log.info("removed document %s (%d passages)", document_id, removed)
        return removed

    def _stage_file(self, filename: str, data: bytes) -> _Upload:
        name = Path(check_text(filename or "", "file name")).name
        suffix = Path(name).suffix.lower()
        if not _SAFE_NAME.match(name) or name.startswith((".", "_")):
            raise DocumentError(
                f"The file name '{filename}' cannot be used: use letters, digits, '-', '_' and '.' only; "
                "the name without its extension becomes the document id."
            )
        if suffix not in SUFFIXES:
            raise DocumentError(f"Unsupported file type '{suffix or name}'. Upload one of: {', '.join(SUFFIXES)}.")
        limit = self.settings.api.max_upload_bytes  # the one upload limit, also enforced on the HTTP body
        if len(data) > limit:
            raise DocumentTooLargeError(
                f"The file is {len(data)} bytes; the limit is {limit} bytes (ASSISTANT_API__MAX_UPLOAD_BYTES)."
            )
        return self._stage(name, data)

    def _stage_text(self, document: dict[str, object]) -> _Upload:
        check_strings(document, "")
        document_id = str(document.get("id") or "")
        if not _SAFE_NAME.match(document_id) or document_id.startswith((".", "_")):
            raise DocumentError(
                "The document 'id' is missing or unusable: use 1–120 letters, digits, '-', '_' and '.'."
            )
        length, limit = len(str(document.get("text") or "")), self.settings.api.max_text_chars
        if length > limit:
            raise DocumentTooLargeError(
                f"The document text is {length} characters; JSON text may hold at most {limit} "
                "(ASSISTANT_API__MAX_TEXT_CHARS). Split it into several documents, or upload it as a file "
                "(POST /v1/documents), which is indexed in the background."
            )
        line = json.dumps({k: v for k, v in document.items() if v is not None}, ensure_ascii=False)
        return self._stage(f"{document_id}.jsonl", (line + "\n").encode("utf-8"))

    def _stage(self, name: str, data: bytes) -> _Upload:
        """Write the upload into a staging folder of its own and read its documents (errors name the file)."""
        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(prefix=STAGING, dir=self.corpus_dir)) / name
        try:
            path.write_bytes(data)
            documents: list[Document] = []
            for item in read_file(path, name):
                if isinstance(item, DocumentError):
                    raise item
                documents.append(item)
            if not documents:
                raise DocumentError(f"{name}: no document could be read from it.")
        except BaseException:
            shutil.rmtree(path.parent, ignore_errors=True)
            raise
        return _Upload(name, path, tuple(documents))

    def _submit(self, upload: _Upload) -> list[Document] | IndexJob:
        if upload.characters <= self.settings.api.background_above_chars:
            return list(self._write(upload).documents)
        try:
            ids = tuple(d.id for d in upload.documents)
            return self.jobs.submit(upload.name, ids, upload.characters, lambda: self._write(upload), upload.discard)
        except BaseException:
            upload.discard()
            raise

    def _write(self, upload: _Upload) -> WriteReport:
        """Analyse outside the lock; merge into the latest index, save, move into the corpus and swap inside it."""
        try:
            started = time.perf_counter()
            analysis = self._store.analyse(upload.documents)
            analysed = time.perf_counter()
            with write_lock(self.settings.index_dir):
                locked = time.perf_counter()
                passages = self._store.replace(analysis)
                os.replace(upload.path, self.corpus_dir / upload.name)
                self._swap()
            finished = time.perf_counter()
        finally:
            upload.discard()
        timings = {
            "analyse": _ms(analysed - started), "lock_wait": _ms(locked - analysed), "write": _ms(finished - locked),
            "total": _ms(finished - started),
        }  # fmt: skip
        log.info(
            "indexed %s: %s (%d passages; analysed in %.0f ms, waited %.0f ms for the write lock, wrote in %.0f ms)",
            upload.name, ", ".join(d.id for d in upload.documents), passages,
            timings["analyse"], timings["lock_wait"], timings["write"],
        )  # fmt: skip
        return WriteReport(upload.documents, passages, timings)

    def _remove_from_corpus(self, document_id: str) -> None:
        """Delete the document's file, or its line when it shares a JSONL file with others."""
        for suffix in SUFFIXES:
            path = self.corpus_dir / f"{document_id}{suffix}"
            if path.is_file() and suffix != ".jsonl":
                path.unlink()
                return
        for path in self.corpus_dir.glob("*.jsonl"):
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            kept = [line for line in lines if _jsonl_id(line) != document_id]
            if len(kept) != len(lines):
                if any(line.strip() for line in kept):
                    path.write_text("".join(kept), encoding="utf-8")
                else:
                    path.unlink()
                return

    def _swap(self) -> None:
        """Tell the owner a write went in (the store serves it already) and the other processes too."""
        if self.on_swap:
            self.on_swap(self._retriever)
        generation = self._store.generation
        if self._feed is not None and generation is not None:
            self._feed.announce(generation)


def _jsonl_id(line: str) -> str | None:
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    return str(data.get("id")) if isinstance(data, dict) else None


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _clear_stale_uploads(corpus: Path) -> None:
    """Remove staging folders that a process which died mid-upload left (live ones are younger)."""
    old = corpus / _OLD_UPLOADS
    leftovers = [*corpus.glob(f"{STAGING}*"), *(old.iterdir() if old.is_dir() else ())]
    for leftover in leftovers:
        try:
            stale = leftover.stat().st_mtime < time.time() - _STALE_UPLOAD
        except FileNotFoundError:
            continue
        if stale:
            shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # gone already, or still holding a live upload of an older version
        old.rmdir()
