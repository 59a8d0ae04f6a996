"""The index being served, updated one document at a time while questions keep being answered.

Readers use whatever ``Retriever`` is current; an update loads its own copy of the index from disk,
changes it, writes a new generation and only then swaps the copy in. Updates run one at a time.
Uploaded documents are also written into the corpus folder, so a later full build keeps them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import DocumentError, NotFoundError
from ..ingest.corpus import SUFFIXES, read_file
from ..records import Document
from ..retrieval.retriever import Retriever
from ..settings import Settings
from .builder import open_index
from .search_index import DocumentEntry, SearchIndex

log = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"^[\w\-. ]{1,120}$")


class LiveIndex:
    """Holds the served retriever and applies document uploads and deletions to it and to the corpus."""

    def __init__(self, settings: Settings, on_swap: Callable[[Retriever], None] | None = None) -> None:
        self.settings = settings
        self.on_swap = on_swap
        self._index = open_index(settings)
        self._retriever = Retriever(self._index, settings.retrieval)
        self._lock = threading.Lock()

    @property
    def retriever(self) -> Retriever:
        """The retriever over the current index."""
        return self._retriever

    def documents(self) -> list[DocumentEntry]:
        """The indexed documents, by id."""
        return sorted(self._index.documents.values(), key=lambda entry: entry.id)

    def document(self, document_id: str) -> DocumentEntry:
        """One indexed document."""
        entry = self._index.documents.get(document_id)
        if entry is None:
            raise NotFoundError(f"No document with id '{document_id}'. GET /v1/documents lists them.")
        return entry

    def passage_count(self, document_id: str) -> int:
        """How many passages the document has in the current index."""
        return sum(1 for p in self._index.passages if p.document_id == document_id)

    def add_file(self, filename: str, data: bytes) -> list[Document]:
        """Index an uploaded file (replacing documents with the same ids) and keep it in the corpus."""
        name = Path(filename or "").name
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
            raise DocumentError(
                f"The file is {len(data)} bytes; the limit is {limit} bytes (ASSISTANT_API__MAX_UPLOAD_BYTES)."
            )
        return self._add(name, data)

    def add_text(self, document: dict[str, object]) -> list[Document]:
        """Index one document given as JSON (``id``, ``title``, ``text``, optional ``lang``, ``source``…)."""
        document_id = str(document.get("id") or "")
        if not _SAFE_NAME.match(document_id) or document_id.startswith((".", "_")):
            raise DocumentError(
                "The document 'id' is missing or unusable: use 1–120 letters, digits, '-', '_' and '.'."
            )
        line = json.dumps({k: v for k, v in document.items() if v is not None}, ensure_ascii=False)
        return self._add(f"{document_id}.jsonl", (line + "\n").encode("utf-8"))

    def remove(self, document_id: str) -> int:
        """Remove a document from the index and its file from the corpus; returns the passages removed."""
        with self._lock:
            self.document(document_id)
            index = open_index(self.settings)
            removed = index.remove_documents([document_id])
            index.save(self.settings.index_dir)
            self._remove_from_corpus(document_id, index)
            self._swap(index)
        log.info("removed document %s (%d passages)", document_id, removed)
        return removed

    def _add(self, name: str, data: bytes) -> list[Document]:
        corpus = self.settings.corpus_dir
        staging_root = corpus / ".uploads"
        staging_root.mkdir(parents=True, exist_ok=True)
        with self._lock, tempfile.TemporaryDirectory(dir=staging_root) as staging:
            staged = Path(staging) / name
            staged.write_bytes(data)
            documents: list[Document] = []
            for item in read_file(staged, name):
                if isinstance(item, DocumentError):
                    raise item
                documents.append(item)
            if not documents:
                raise DocumentError(f"{name}: no document could be read from it.")
            index = open_index(self.settings)
            index.add_documents(documents)
            index.save(self.settings.index_dir)
            os.replace(staged, corpus / name)
            self._swap(index)
        log.info("indexed %s: %s", name, ", ".join(d.id for d in documents))
        return documents

    def _remove_from_corpus(self, document_id: str, index: SearchIndex) -> None:
        """Delete the document's file, or its line when it shares a JSONL file with others."""
        for suffix in SUFFIXES:
            path = self.settings.corpus_dir / f"{document_id}{suffix}"
            if path.is_file() and suffix != ".jsonl":
                path.unlink()
                return
        for path in self.settings.corpus_dir.glob("*.jsonl"):
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            kept = [line for line in lines if _jsonl_id(line) != document_id]
            if len(kept) != len(lines):
                if any(line.strip() for line in kept):
                    path.write_text("".join(kept), encoding="utf-8")
                else:
                    path.unlink()
                return

    def _swap(self, index: SearchIndex) -> None:
        self._index = index
        self._retriever = Retriever(index, self.settings.retrieval)
        if self.on_swap:
            self.on_swap(self._retriever)


def _jsonl_id(line: str) -> str | None:
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    return str(data.get("id")) if isinstance(data, dict) else None
