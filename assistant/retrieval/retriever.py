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
from ..store.base import SearchStore
from ..text.validation import check_text
from .fusion import weighted

MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class SearchOptions:
    """Per-call overrides of the retrieval settings."""

    top_k: int | None = None
    per_document: int | None = None
    min_score: float | None = None


class Retriever:
    """Hybrid keyword + dense search over one ``SearchStore``: the cut, the per-document limit and the
    other-language lane on top of the store's fused candidates."""

    def __init__(self, store: SearchStore | SearchIndex, settings: RetrievalSettings) -> None:
        if isinstance(store, SearchIndex):  # an index in memory (evaluation, tests)
            from ..store.local import LocalStore

            store = LocalStore.in_memory(store)
        self.store: SearchStore = store
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
        candidates = max(settings.candidates, top_k * (3 if per_document else 1))
        hits = self.store.hybrid_search(query, candidates, settings)
        if not hits:
            return []
        keyword = np.fromiter((h.keyword_score for h in hits), dtype=np.float32, count=len(hits))
        dense = np.fromiter((h.dense_score for h in hits), dtype=np.float32, count=len(hits))
        relevance = weighted(keyword, dense, settings.keyword_weight, settings.dense_weight)
        chosen: list[int] = []
        per_doc_count: dict[str, int] = {}
        for i in range(len(hits)):
            if relevance[i] < min_score:
                continue
            if per_document:
                document = hits[i].passage.document_id
                seen = per_doc_count.get(document, 0)
                if seen >= per_document:
                    continue
                per_doc_count[document] = seen + 1
            chosen.append(i)
            if len(chosen) == top_k:
                break
        lane = self._other_language_lane(query, hits, dense, chosen, top_k)
        if lane:
            chosen = chosen[: top_k - len(lane)] + lane
        return [hits[i] for i in chosen]

    def _other_language_lane(
        self, query: str, hits: list[Hit], dense: np.ndarray, chosen: list[int], top_k: int
    ) -> list[int]:
        """Candidates (positions in ``hits``) in the other language that must stay in the top k: the best dense
        matches among passages in Korean for a Chinese query and the reverse, when their cosine is near the best
        one. Keyword scores (but for the opt-in readings field) cannot reach across the languages, so fusion alone
        would drown them."""
        slots = min(self.settings.other_language_slots, top_k - 1)
        embedder = self.store.embedder
        # an embedder says ``crosses_languages = False`` when its space cannot relate Korean to Chinese
        if slots <= 0 or not chosen or not getattr(embedder, "crosses_languages", embedder is not None):
            return []
        asked = _group(detect_language(query))
        if asked is None or not self.store.dense_enabled:
            return []
        best = float(dense.max())
        floor = max(best - self.settings.other_language_margin, best / 2)  # never among near-zero cosines
        foreign = [
            int(i) for i in np.argsort(-dense, kind="stable")
            if dense[i] >= floor and _group(hits[int(i)].passage.language) not in (asked, None)
        ][:slots]  # fmt: skip
        if not foreign:
            return []
        shown = set(chosen)
        return [i for i in foreign if i not in shown]

    def neighbours(self, hits: Sequence[Hit], reach: int, best: int = 1) -> list[Hit]:
        """The passages within ``reach`` before and after each of the ``best`` first hits in their document and
        section, not among the hits already, each with the score of the hit it neighbours (passage ids are
        ``<document id>#<k>``, k counting the document's passages from 0)."""
        if reach < 1:
            return []
        have = {hit.passage.id for hit in hits}
        wanted: dict[str, Hit] = {}
        for hit in hits[:best]:
            document, _, number = hit.passage.id.rpartition("#")
            if not document or not number.isdigit():
                continue
            k = int(number)
            for step in [*range(-reach, 0), *range(1, reach + 1)]:
                key = f"{document}#{k + step}"
                if k + step >= 0 and key not in have and key not in wanted:
                    wanted[key] = hit
        found = self.store.passages(list(wanted)) if wanted else []
        near = [
            Hit(passage, wanted[passage.id].score)
            for passage in found
            if passage.id in wanted and passage.section == wanted[passage.id].passage.section
        ]
        order = {hit.passage.id: i for i, hit in enumerate(hits)}
        return sorted(near, key=lambda hit: (order[wanted[hit.passage.id].passage.id], hit.passage.start))

    @property
    def embedder_id(self) -> str | None:
        """The id of the embedder behind the dense side (None when there is none)."""
        embedder = self.store.embedder
        return embedder.id if embedder is not None and self.store.dense_enabled else None

    def relevance(self, hit: Hit) -> float:
        """A hit's weighted relevance, the figure ``min_score`` is compared with."""
        settings = self.settings
        keyword, dense = np.float32(hit.keyword_score), np.float32(hit.dense_score)
        return float(weighted(np.asarray(keyword), np.asarray(dense), settings.keyword_weight, settings.dense_weight))

    def rarity(self, terms: Sequence[str]) -> dict[str, float]:
        """Each word-level term's rarity in the indexed passages: 0 in every passage, 1 in none."""
        return self.store.rarity(terms)


def _group(language: Language) -> str | None:
    """'ko' or 'zh' (both Chinese scripts are one language to the keyword side), ``None`` for anything else."""
    if language is Language.KOREAN:
        return "ko"
    return "zh" if language in CHINESE else None
