"""Documents made ready for an index without touching one: cut into passages, tokenised, embedded.

This is the slow part of adding documents (seconds for a long one), and it reads nothing an index
changes, so a live index does it outside its write lock. Taking the result into the latest index
(``SearchIndex.merge``: term ids, keys, vector insertion, BM25 weights) is the quick part.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..embedding.base import Embedder
from ..ingest.chunking import chunk_documents_and_morphemes
from ..languages import normalize
from ..records import Document, Passage
from ..settings import ChunkingSettings
from ..text.morphemes import CONTENT_TAGS, MorphemeTokenizer
from ..text.sentences import Morpheme
from ..text.tokenizers import tokenize_all
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
    return f"{keyword_head(passage)}{passage.text}"


def keyword_head(passage: Passage) -> str:
    """What ``keyword_text`` puts in front of the passage's text."""
    return f"{passage.title}\n{passage.section}\n"


def analyse(
    documents: Sequence[Document], chunking: ChunkingSettings, keyword: KeywordIndex, embedder: Embedder | None
) -> Analysis:
    """Chunk, tokenise (with ``keyword``'s tokenizers) and embed documents; no index is read or changed."""
    morpheme_field = keyword.tokenizers.get("morphemes")
    reuse = isinstance(morpheme_field, MorphemeTokenizer) and not morpheme_field.dictionary.korean
    per_document, morphemes = chunk_documents_and_morphemes(documents, chunking, CONTENT_TAGS if reuse else frozenset())
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
        terms=_terms(keyword, per_document, morphemes, reuse),
        vectors=vectors,
        embedder=embedder.id if embedder is not None else None,
        chunking=chunking.model_dump(),
    )


def _terms(
    keyword: KeywordIndex,
    per_document: Sequence[Sequence[Passage]],
    morphemes: Sequence[Sequence[Morpheme]],
    reuse: bool,
) -> dict[str, list[list[str]]]:
    """Every field's terms of the passages; with ``reuse``, the morphemes field takes kiwi's tokens from the
    sentence split (each character analysed once, not again per passage and overlap)."""
    passages = [p for group in per_document for p in group]
    texts = [keyword_text(p) for p in passages]
    if not reuse:
        return keyword.tokenize(texts)
    normal = [normalize(text) for text in texts]  # once for every field
    others = {name: t for name, t in keyword.tokenizers.items() if name != "morphemes"}
    terms = tokenize_all(others, texts, normal)
    tokenizer = keyword.tokenizers["morphemes"]
    assert isinstance(tokenizer, MorphemeTokenizer)
    terms["morphemes"] = tokenizer.tokenize_analysed(
        [keyword_head(p) for p in passages],
        [p.text for p in passages],
        [inside for group, found in zip(per_document, morphemes, strict=True) for inside in _per_passage(found, group)],
        [p.start for p in passages],
        normal,
    )
    return terms


def _per_passage(morphemes: Sequence[Morpheme], passages: Sequence[Passage]) -> list[Sequence[Morpheme]]:
    """The morphemes that start inside each passage's span (``morphemes`` in document order)."""
    starts = [m.start for m in morphemes]
    return [morphemes[bisect_left(starts, p.start) : bisect_left(starts, p.end)] for p in passages]
