"""The ``Retriever``: a question in, the best passages out, with scores and a "nothing relevant" cut."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidQueryError
from ..indexing.search_index import SearchIndex
from ..records import Hit
from ..settings import RetrievalSettings
from ..text.validation import check_text
from .fusion import reciprocal_rank, weighted

MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class SearchOptions:
    """Per-call overrides of the retrieval settings."""

    top_k: int | None = None
    per_document: int | None = None
    min_score: float | None = None


class Retriever:
    """Hybrid keyword + dense search over one ``SearchIndex``."""

    def __init__(self, index: SearchIndex, settings: RetrievalSettings) -> None:
        self.index = index
        self.settings = settings

    def search(self, query: str, options: SearchOptions | None = None) -> list[Hit]:
        """The best passages for a query, best first; empty when nothing clears the minimum score."""
        options = options or SearchOptions()
        query = check_text(query, "query").strip()
        if not query:
            raise InvalidQueryError("The query is empty. Type a question or some keywords.")
        if len(query) > MAX_QUERY_CHARS:
            raise InvalidQueryError(f"The query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}.")
        settings = self.settings
        top_k = options.top_k or settings.top_k
        per_document = options.per_document if options.per_document is not None else settings.per_document
        min_score = settings.min_score if options.min_score is None else options.min_score
        index = self.index
        if not index.passages:
            return []
        candidates = max(settings.candidates, top_k * (3 if per_document else 1))
        keyword = index.keyword_scores(query)
        keyword_rows = _top(keyword, candidates)
        vector, dense_scores, dense_rows = index.dense_search(query, candidates)
        rows = np.unique(np.concatenate([keyword_rows, dense_rows]))
        dense = self._dense_for(rows, vector, dense_scores, dense_rows)
        relevance = weighted(keyword[rows], dense, settings.keyword_weight, settings.dense_weight)
        if settings.fusion == "rrf":
            fused = reciprocal_rank([keyword_rows, dense_rows], rows, settings.rrf_k)
        else:
            fused = relevance
        order = np.lexsort((rows, -fused))
        hits: list[Hit] = []
        per_doc_count: dict[str, int] = {}
        for i in order:
            if relevance[i] < min_score:
                continue
            passage = index.passages[int(rows[i])]
            if per_document:
                seen = per_doc_count.get(passage.document_id, 0)
                if seen >= per_document:
                    continue
                per_doc_count[passage.document_id] = seen + 1
            hits.append(Hit(passage, float(fused[i]), float(keyword[rows[i]]), float(dense[i])))
            if len(hits) == top_k:
                break
        return hits

    @property
    def embedder_id(self) -> str | None:
        """The id of the embedder behind the dense side (None when there is none)."""
        embedder = self.index.embedder
        return embedder.id if embedder is not None and self.index.dense_enabled else None

    def relevance(self, hit: Hit) -> float:
        """A hit's weighted relevance, the figure ``min_score`` is compared with."""
        settings = self.settings
        keyword, dense = np.float32(hit.keyword_score), np.float32(hit.dense_score)
        return float(weighted(np.asarray(keyword), np.asarray(dense), settings.keyword_weight, settings.dense_weight))

    def rarity(self, terms: Sequence[str]) -> dict[str, float]:
        """Each word-level term's rarity in the indexed passages: 0 in every passage, 1 in none."""
        return self.index.rarity(terms)

    def _dense_for(
        self, rows: np.ndarray, vector: np.ndarray, scores: np.ndarray, dense_rows: np.ndarray
    ) -> np.ndarray:
        """Cosine of every candidate row: from the search where it was found, else from its stored vector."""
        found = dict(zip(dense_rows.tolist(), scores.tolist(), strict=True))
        dense = np.zeros(len(rows), dtype=np.float32)
        missing = []
        for i, row in enumerate(rows.tolist()):
            if row in found:
                dense[i] = found[row]
            else:
                missing.append(i)
        vectors = self.index.vectors
        if missing and vector.size and vectors is not None:
            stored = vectors.fetch(self.index.keys[rows[missing]])
            dense[missing] = stored @ vector
        return dense


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k highest non-zero scores, best first."""
    if len(scores) == 0:
        return np.zeros(0, dtype=np.int64)
    k = min(k, len(scores))
    rows = np.argpartition(-scores, k - 1)[:k]
    rows = rows[scores[rows] > 0]
    return rows[np.argsort(-scores[rows], kind="stable")]
