"""Documents made ready for an index without touching one: cut into passages, tokenised, embedded.

This is the slow part of adding documents (seconds for a long one), and it reads nothing an index
changes, so a live index does it outside its write lock. Taking the result into the latest index
(``SearchIndex.merge``: term ids, keys, vector insertion, BM25 weights) is the quick part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..embedding.base import Embedder
from ..ingest.chunking import chunk_documents
from ..records import Document, Passage
from ..settings import ChunkingSettings
from .keyword import KeywordIndex


@dataclass(frozen=True)
class Analysis:
    """Documents as passages, with each passage's keyword terms (per field) and vector, in passage order."""

    documents: tuple[Document, ...]
    passage_counts: tuple[int, ...]  # passages of each document, in document order
    passages: tuple[Passage, ...]
    terms: Mapping[str, Sequence[Sequence[str]]]  # field name → one term list per passage
    vectors: np.ndarray | None  # one row per passage; None without an embedder
    embedder: str | None  # id of the embedder that made the vectors
    chunking: Mapping[str, int]  # the chunking settings the passages were cut with

    @property
    def characters(self) -> int:
        """Characters of text in the documents."""
        return sum(len(d.text) for d in self.documents)


def keyword_text(passage: Passage) -> str:
    """The text the keyword side indexes: the passage with its document title and section in front."""
    return f"{passage.title}\n{passage.section}\n{passage.text}"


def analyse(
    documents: Sequence[Document], chunking: ChunkingSettings, keyword: KeywordIndex, embedder: Embedder | None
) -> Analysis:
    """Chunk, tokenise (with ``keyword``'s tokenizers) and embed documents; no index is read or changed."""
    per_document = chunk_documents(documents, chunking)
    passages = tuple(p for group in per_document for p in group)
    vectors = None
    if embedder is not None:
        vectors = (
            embedder.embed_passages([p.text for p in passages])
            if passages
            else np.zeros((0, embedder.dimension), dtype=np.float32)
        )
    return Analysis(
        documents=tuple(documents),
        passage_counts=tuple(len(group) for group in per_document),
        passages=passages,
        terms=keyword.tokenize([keyword_text(p) for p in passages]),
        vectors=vectors,
        embedder=embedder.id if embedder is not None else None,
        chunking=chunking.model_dump(),
    )
