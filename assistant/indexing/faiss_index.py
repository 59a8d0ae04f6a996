"""FAISS behind the ``VectorIndex`` contract: exact inner product for small corpora, HNSW for large ones.

Saved as ``vectors.faiss`` and opened memory-mapped, so a large index does not have to fit in RAM twice;
the first change after opening reads it into memory. HNSW cannot delete in place, so deleted keys are
kept as tombstones (``vectors.deleted.npy``) and filtered out of results until the next full rebuild.
A flat index is searched through an ``ExactVectors`` snapshot of its vectors (made at the first search after
opening or changing it), which ranks as FAISS does; the file stays FAISS's own. A memory-mapped index is let go
once its snapshot is made (its pages would count twice in memory) and mapped again only to be changed or saved.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from .exact_vectors import ExactVectors

log = logging.getLogger(__name__)

FILE = "vectors.faiss"
TOMBSTONES = "vectors.deleted.npy"


def _faiss() -> Any:
    import faiss

    return faiss


_SERIAL_BELOW = 16


def _search_serially() -> None:
    """One OpenMP thread for this thread's searches: starting a thread team costs milliseconds, a one-query search
    microseconds (7.8 ms against 0.03 ms for one query over 125 vectors on a busy 2-core machine). The setting
    belongs to the calling thread, so it is made on every call (it costs nanoseconds)."""
    _faiss().omp_set_num_threads(1)


class FaissVectorIndex:
    """Keyed vectors in a FAISS ``IndexIDMap2`` over ``IndexFlatIP`` or ``IndexHNSWFlat``."""

    def __init__(self, dimension: int, kind: str = "flat", index: Any = None, path: Path | None = None) -> None:
        faiss = _faiss()
        if kind not in ("flat", "hnsw"):
            raise ValueError(f"unknown FAISS index kind '{kind}'")
        self.dimension = dimension
        self.kind = kind
        if index is None:
            if kind == "flat":
                inner = faiss.IndexFlatIP(dimension)
            else:
                inner = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
                inner.hnsw.efConstruction = 80
            index = faiss.IndexIDMap2(inner)
        self._index = index
        self._path = path  # set while the index is memory-mapped from this file
        self._deleted: set[int] = set()
        self._exact: ExactVectors | None = None  # the flat vectors dimension-major, made at the first search
        self._set_search_depth()

    def __len__(self) -> int:
        return self._stored() - len(self._deleted)

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Store vectors under keys."""
        if len(keys) == 0:
            return
        self._writable()
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape[1] != self.dimension:
            raise ValueError(f"vectors have dimension {vectors.shape[1]}, the index {self.dimension}")
        self._index.add_with_ids(vectors, np.ascontiguousarray(keys, dtype=np.int64))
        self._exact = None  # a search made it of the vectors before

    def remove(self, keys: np.ndarray) -> None:
        """Delete in place (flat) or by tombstone (HNSW)."""
        if len(keys) == 0:
            return
        self._writable()
        if self.kind == "flat":
            self._index.remove_ids(np.ascontiguousarray(keys, dtype=np.int64))
            self._exact = None
        else:
            self._deleted.update(int(k) for k in keys)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, keys), best first; key -1 marks an empty slot."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        total = self._stored()
        if total == 0 or k <= 0:
            shape = (len(queries), max(k, 0))
            return np.zeros(shape, np.float32), np.full(shape, -1, np.int64)
        wanted = min(k + len(self._deleted), total)
        if self.kind == "flat":
            scores, keys = self._exact_vectors().search(queries, wanted)
        else:
            if len(queries) < _SERIAL_BELOW:
                _search_serially()
            scores, keys = self._opened().search(queries, wanted)
        if self._deleted:
            scores, keys = self._drop_deleted(scores, keys, k)
        elif wanted < k:
            pad = ((0, 0), (0, k - wanted))
            scores, keys = np.pad(scores, pad), np.pad(keys, pad, constant_values=-1)
        return scores[:, :k], keys[:, :k]

    def fetch(self, keys: np.ndarray) -> np.ndarray:
        """The stored vectors of these keys, one row each."""
        if len(keys) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._exact is not None:
            return self._exact.fetch(keys)
        return np.asarray(self._opened().reconstruct_batch(np.asarray(keys, dtype=np.int64)), dtype=np.float32)

    def save(self, folder: Path) -> None:
        """Write the index (and any tombstones) into the folder."""
        _faiss().write_index(self._opened(), str(folder / FILE))
        if self._deleted:
            np.save(folder / TOMBSTONES, np.fromiter(self._deleted, dtype=np.int64))

    @classmethod
    def load(cls, folder: Path, dimension: int, kind: str) -> FaissVectorIndex:
        """Open a saved index memory-mapped (read into memory if mapping is not supported)."""
        faiss = _faiss()
        path = folder / FILE
        try:
            index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
            mapped: Path | None = path
        except RuntimeError:
            index, mapped = faiss.read_index(str(path)), None
        loaded = cls(dimension, kind, index=index, path=mapped)
        tombstones = folder / TOMBSTONES
        if tombstones.exists():
            loaded._deleted = {int(k) for k in np.load(tombstones)}
        return loaded

    @classmethod
    def create(cls, dimension: int, expected_count: int, layout: str, hnsw_above: int) -> FaissVectorIndex:
        """An empty index, exact or HNSW by the expected size."""
        return cls(dimension, cls.kind_for(expected_count, layout, hnsw_above))

    @staticmethod
    def kind_for(count: int, setting: str, hnsw_above: int) -> str:
        """Exact search up to ``hnsw_above`` vectors, HNSW beyond (unless the setting names one)."""
        if setting != "auto":
            return setting
        return "hnsw" if count > hnsw_above else "flat"

    def _writable(self) -> None:
        if self._path is not None:
            self._index = _faiss().read_index(str(self._path))
            self._path = None
            self._set_search_depth()

    def _exact_vectors(self) -> ExactVectors:
        """The flat index's snapshot, made from FAISS's own storage (read in place, transposed once)."""
        exact = self._exact
        if exact is None:
            faiss = _faiss()
            index = self._opened()
            inner = faiss.downcast_index(index.index)
            total = int(inner.ntotal)
            stored = faiss.rev_swig_ptr(inner.get_xb(), total * self.dimension).reshape(total, self.dimension)
            exact = self._exact = ExactVectors.of(stored, faiss.vector_to_array(index.id_map))
            if self._path is not None:
                self._index = None
        return exact

    def _opened(self) -> Any:
        """The FAISS index, mapped again from its file if it was let go."""
        index = self._index
        if index is None:
            assert self._path is not None
            index = self._index = _faiss().read_index(
                str(self._path), _faiss().IO_FLAG_MMAP | _faiss().IO_FLAG_READ_ONLY
            )
        return index

    def _stored(self) -> int:
        exact = self._exact
        return len(exact) if self._index is None and exact is not None else int(self._opened().ntotal)

    def _set_search_depth(self) -> None:
        if self.kind == "hnsw":
            _faiss().downcast_index(self._index.index).hnsw.efSearch = 64

    def _drop_deleted(self, scores: np.ndarray, keys: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        out_scores = np.zeros((len(keys), k), np.float32)
        out_keys = np.full((len(keys), k), -1, np.int64)
        for row in range(len(keys)):
            live = [i for i, key in enumerate(keys[row]) if key >= 0 and int(key) not in self._deleted][:k]
            out_scores[row, : len(live)] = scores[row, live]
            out_keys[row, : len(live)] = keys[row, live]
        return out_scores, out_keys
