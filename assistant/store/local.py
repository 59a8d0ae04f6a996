"""The ``local`` search store: a ``SearchIndex`` (FAISS + BM25 files) in the index folder, one generation per write.

Searches read one in-memory snapshot; a write (under the folder's ``storage.write_lock``, which the caller
holds) loads the latest generation from disk, merges into it, saves it as a new generation and only then swaps
it in, so readers never see a half-made index and a failed write leaves the previous generation served. The
generation searched is leased (``storage.lease_generation``), so no writer in any process prunes it, and
``refresh`` swaps in a generation another process wrote. Without a folder (``in_memory``, for evaluation and
tests) writes change the index in place. Row numbers stay inside this module: what leaves it are ``Hit`` records.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..embedding.base import Embedder
from ..errors import AssistantError, IndexNotFoundError
from ..indexing.analysis import Analysis
from ..indexing.manifest import Manifest
from ..indexing.search_index import DocumentEntry, SearchIndex
from ..indexing.storage import Lease, current_name, lease_current, lease_generation
from ..records import Document, Hit, Passage
from ..retrieval.fusion import reciprocal_rank, weighted
from ..settings import RetrievalSettings, Settings
from .base import Filters, StoreStats

log = logging.getLogger(__name__)


class LocalStore:
    """The ``SearchStore`` over a ``SearchIndex``, saved as generations under ``root`` when it has one."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None,
        index: SearchIndex,
        root: Path | None = None,
        fresh: bool = False,
        lease: Lease | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.root = root
        self._index = index
        self._write_lock = threading.Lock()
        self._fresh = fresh  # writes go into the index in memory until the first commit (a full rebuild)
        self._lease = lease  # on the generation searched, so that no writer prunes it
        self._swap_lock = threading.Lock()  # held to swap a snapshot in
        self._refused: str | None = None  # a generation refresh could not open: not tried again
        self._ids: tuple[SearchIndex, int, dict[str, int]] | None = None  # passage id → row, for one snapshot
        self._stats: tuple[SearchIndex, int, StoreStats] | None = None

    @classmethod
    def open(
        cls, settings: Settings, embedder: Embedder | None, *, create: bool = False, fresh: bool = False
    ) -> LocalStore:
        """The current generation in ``settings.index_dir`` (an empty index when there is none and ``create``,
        or when ``fresh``: the first write replaces the whole index)."""
        root = settings.index_dir
        if fresh:
            return cls(settings, embedder, SearchIndex(settings, embedder), root, fresh=True)
        try:
            lease = lease_current(root)
        except IndexNotFoundError:
            if not create:
                raise
            return cls(settings, embedder, SearchIndex(settings, embedder), root)
        try:
            index = SearchIndex.load(root, settings, embedder, lease)
        except BaseException:
            lease.release()
            raise
        return cls(settings, embedder, index, root, lease=lease)

    @classmethod
    def in_memory(cls, index: SearchIndex) -> LocalStore:
        """A store over an index in memory only (writes change it in place)."""
        return cls(index.settings, index.embedder, index)

    @property
    def index(self) -> SearchIndex:
        """The snapshot being searched."""
        return self._index

    @property
    def dense_enabled(self) -> bool:
        return self._index.dense_enabled

    @property
    def generation(self) -> str | None:
        return self._index.generation

    def refresh(self) -> bool:
        """Search the generation ``CURRENT`` names if it is not the one searched (another process wrote one);
        one small file read when nothing changed. A generation that cannot be opened (built with other
        settings) is logged, and the one searched is kept."""
        root = self.root
        if root is None or self._fresh or current_name(root) in (self._index.generation, self._refused):
            return False
        with self._swap_lock:
            name = current_name(root)
            if name is None or name in (self._index.generation, self._refused):
                return False
            try:
                lease = lease_current(root)
            except AssistantError as error:
                log.warning("keeping generation %s: %s", self._index.generation, error)
                return False
            try:
                index = SearchIndex.load(root, self.settings, self.embedder, lease)
            except AssistantError as error:
                lease.release()
                self._refused = name
                log.error("cannot serve generation %s written by another process, keeping %s: %s",
                          name, self._index.generation, error)  # fmt: skip
                return False
            except BaseException:
                lease.release()
                raise
            self._swap(index, lease)
        log.info("now serving index generation %s (written by another process)", index.generation)
        return True

    # --- writing ------------------------------------------------------------------------------------

    def analyse(self, documents: Sequence[Document]) -> Analysis:
        return self._index.analyse(documents)

    def replace(self, analysis: Analysis) -> int:
        with self._write_lock:
            index = self._latest()
            added = index.merge(analysis)
            self._commit(index)
        return added

    def delete(self, document_ids: Sequence[str]) -> int:
        with self._write_lock:
            index = self._latest()
            removed = index.remove_documents(document_ids)
            if removed:
                self._commit(index)
        return removed

    def _latest(self) -> SearchIndex:
        """The index to write into: the latest generation on disk (another process may have written one)."""
        if self.root is None or self._fresh:
            return self._index
        try:
            return SearchIndex.load(self.root, self.settings, self.embedder)
        except IndexNotFoundError:
            return SearchIndex(self.settings, self.embedder)

    def _commit(self, index: SearchIndex) -> None:
        lease = None
        if self.root is not None:
            index.save(self.root)
            self._fresh = False
            assert index.generation is not None
            lease = lease_generation(self.root / index.generation)
        with self._swap_lock:
            self._swap(index, lease)

    def _swap(self, index: SearchIndex, lease: Lease | None) -> None:
        """Search ``index`` (read from the leased generation) from now on; called with ``_swap_lock`` held."""
        previous, self._lease = self._lease, lease
        self._index = index
        if previous is not None:
            previous.release()

    # --- searching ----------------------------------------------------------------------------------

    def keyword_search(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        index = self._index
        scores = self._keyword_scores(index, query, filters)
        return [Hit(index.passages[row], float(scores[row]), float(scores[row])) for row in _top(scores, k).tolist()]

    def dense_search(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        index = self._index
        _, scores, rows = self._dense(index, query, k, filters)
        return [
            Hit(index.passages[row], float(score), 0.0, float(score))
            for row, score in zip(rows.tolist(), scores.tolist(), strict=True)
        ]

    def hybrid_search(
        self, query: str, candidates: int, fusion: RetrievalSettings, filters: Filters | None = None
    ) -> list[Hit]:
        index = self._index
        if not index.passages:
            return []
        vector, dense_scores, dense_rows = self._dense(index, query, candidates, filters)
        if filters and (filters.document_ids or filters.languages):
            every = self._keyword_scores(index, query, filters)
            keyword_rows = _top(every, candidates)
            rows = np.unique(np.concatenate([keyword_rows, dense_rows]))
            keyword = every[rows]
        else:  # only the passages the query's terms touch are scored
            keyword_rows, keyword_scores, dense_keyword = index.keyword_top(query, candidates, dense_rows)
            rows = np.unique(np.concatenate([keyword_rows, dense_rows]))
            keyword = np.zeros(len(rows), dtype=np.float32)
            keyword[np.searchsorted(rows, dense_rows)] = dense_keyword
            keyword[np.searchsorted(rows, keyword_rows)] = keyword_scores
        dense = _dense_for(index, rows, vector, dense_scores, dense_rows)
        relevance = weighted(keyword, dense, fusion.keyword_weight, fusion.dense_weight)
        fused = reciprocal_rank([keyword_rows, dense_rows], rows, fusion.rrf_k) if fusion.fusion == "rrf" else relevance
        order = np.lexsort((rows, -fused)).tolist()
        return [Hit(index.passages[int(rows[i])], float(fused[i]), float(keyword[i]), float(dense[i])) for i in order]

    def _keyword_scores(self, index: SearchIndex, query: str, filters: Filters | None) -> np.ndarray:
        scores = index.keyword_scores(query)
        if filters and (filters.document_ids or filters.languages):
            scores = np.where(_admitted(index, filters), scores, np.float32(0))
        return scores

    def _dense(
        self, index: SearchIndex, query: str, k: int, filters: Filters | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query vector, cosines, rows) of the k nearest passages; with filters, exact over the admitted ones."""
        if not (filters and (filters.document_ids or filters.languages)):
            return index.dense_search(query, k)
        empty = np.zeros(0, np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64)
        if not index.dense_enabled or index.embedder is None or index.vectors is None or not index.passages:
            return empty
        rows = np.flatnonzero(_admitted(index, filters))
        vector = index.embedder.embed_queries([query])[0]
        if not len(rows):
            return vector, *empty[1:]
        cosines = index.vectors.fetch(index.keys[rows]) @ vector
        best = np.argsort(-cosines, kind="stable")[:k]
        return vector, cosines[best].astype(np.float32), rows[best]

    # --- describing ---------------------------------------------------------------------------------

    def passages(self, passage_ids: Sequence[str]) -> list[Passage]:
        index = self._index
        if self._ids is None or self._ids[0] is not index or self._ids[1] != len(index.passages):
            self._ids = (
                index,
                len(index.passages),
                {passage_id: row for row, passage_id in enumerate(index.passages.ids())},
            )
        rows = self._ids[2]
        return [index.passages[rows[i]] for i in passage_ids if i in rows]

    def documents(self) -> list[DocumentEntry]:
        return sorted(self._index.documents.values(), key=lambda entry: entry.id)

    def stats(self) -> StoreStats:
        index = self._index
        if self._stats is None or self._stats[0] is not index or self._stats[1] != len(index.passages):
            languages = index.passages.language_counts()
            stats = StoreStats(len(index.passages), len(index.documents), dict(sorted(languages.items())))
            self._stats = (index, len(index.passages), stats)
        return self._stats[2]

    def rarity(self, terms: Sequence[str]) -> dict[str, float]:
        return self._index.rarity(terms)

    def manifest(self) -> Manifest:
        return self._index.manifest()

    def close(self) -> None:
        """Let the generation searched go (writers may prune it from now on)."""
        with self._swap_lock:
            if self._lease is not None:
                self._lease.release()
                self._lease = None


def _admitted(index: SearchIndex, filters: Filters) -> np.ndarray:
    return index.passages.admitted(filters.document_ids, filters.languages)


def _dense_for(
    index: SearchIndex, rows: np.ndarray, vector: np.ndarray, scores: np.ndarray, dense_rows: np.ndarray
) -> np.ndarray:
    """Cosine of every candidate row (``rows`` sorted, holding ``dense_rows``): from the search where it was found,
    else from its stored vector."""
    dense = np.zeros(len(rows), dtype=np.float32)
    found = np.searchsorted(rows, dense_rows)
    dense[found] = scores
    searched = np.zeros(len(rows), dtype=bool)
    searched[found] = True
    missing = np.flatnonzero(~searched)
    if len(missing) and vector.size and index.vectors is not None:
        stored = index.vectors.fetch(index.keys[rows[missing]])
        dense[missing] = stored @ vector
    return dense


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k highest non-zero scores, best first."""
    if len(scores) == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64)
    k = min(k, len(scores))
    rows = np.argpartition(-scores, k - 1)[:k]
    rows = rows[scores[rows] > 0]
    return rows[np.argsort(-scores[rows], kind="stable")]
