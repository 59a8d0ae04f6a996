"""The ``Retriever``: a question in, the best passages out, with scores and a "nothing relevant" cut."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidQueryError
from ..indexing.search_index import SearchIndex
from ..languages import CHINESE, detect_language
from ..records import Hit, Language
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
        chosen: list[int] = []
        per_doc_count: dict[str, int] = {}
        for i in order.tolist():
            if relevance[i] < min_score:
                continue
            if per_document:
                document = index.passages[int(rows[i])].document_id
                seen = per_doc_count.get(document, 0)
                if seen >= per_document:
                    continue
                per_doc_count[document] = seen + 1
            chosen.append(i)
            if len(chosen) == top_k:
                break
        lane = self._other_language_lane(query, rows, dense, chosen, top_k)
        if lane:
            chosen = chosen[: top_k - len(lane)] + lane
        return [
            Hit(index.passages[int(rows[i])], float(fused[i]), float(keyword[rows[i]]), float(dense[i])) for i in chosen
        ]

    def _other_language_lane(
        self, query: str, rows: np.ndarray, dense: np.ndarray, chosen: list[int], top_k: int
    ) -> list[int]:
        """Candidates (positions in ``rows``) in the other language that must stay in the top k: the best dense
        matches among passages in Korean for a Chinese query and the reverse, when their cosine is near the best
        one. Keyword scores (but for the opt-in readings field) cannot reach across the languages, so fusion alone
        would drown them."""
        slots = min(self.settings.other_language_slots, top_k - 1)
        embedder = self.index.embedder
        # an embedder says ``crosses_languages = False`` when its space cannot relate Korean to Chinese
        if slots <= 0 or not chosen or not getattr(embedder, "crosses_languages", embedder is not None):
            return []
        asked = _group(detect_language(query))
        if asked is None or not self.index.dense_enabled:
            return []
        passages = self.index.passages
        best = float(dense.max())
        floor = max(best - self.settings.other_language_margin, best / 2)  # never among near-zero cosines
        foreign = [
            int(i) for i in np.argsort(-dense, kind="stable")
            if dense[i] >= floor and _group(passages[int(rows[i])].language) not in (asked, None)
        ][:slots]  # fmt: skip
        if not foreign:
            return []
        shown = set(chosen)
        return [i for i in foreign if i not in shown]

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


def _group(language: Language) -> str | None:
    """'ko' or 'zh' (both Chinese scripts are one language to the keyword side), ``None`` for anything else."""
    if language is Language.KOREAN:
        return "ko"
    return "zh" if language in CHINESE else None


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k highest non-zero scores, best first."""
    if len(scores) == 0:
        return np.zeros(0, dtype=np.int64)
    k = min(k, len(scores))
    rows = np.argpartition(-scores, k - 1)[:k]
    rows = rows[scores[rows] > 0]
    return rows[np.argsort(-scores[rows], kind="stable")]
