"""Exact inner-product search over flat vectors held dimension-major, ranked as FAISS's ``IndexFlatIP`` ranks.

Part of the FAISS backend. Scores accumulate one dimension at a time over a (dimension, N) matrix (transposed once,
when the snapshot is made): ``scores += column[d] * query[d]`` (FAISS's single-threaded SIMD ``fvec_madd``) for the
query's non-zero dimensions only, then a partition for the k best. A hashing query holds about a quarter of its
dimensions, so about a quarter of the matrix is read (98k vectors of 256: 2-7 ms against FAISS's search at 16-22 ms
on a busy 2-core machine); a dense query reads it all, each column once, front to back. No OpenMP or BLAS thread
team, no per-query heap, and no process-wide thread setting is changed.

The ranking is FAISS's (1.15, one query at a time), so results do not move when a search switches between the two:
the same hits in the same order, ties included (equal vectors stored twice are common: a passage indexed under two
documents).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import numpy as np

# SIMD code computes the last few elements of a vector outside its loop, with other rounding: equal vectors there
# would score a hair apart. Rows padded to this many columns keep every vector's score in the loop.
PAD = 1024


@dataclass(frozen=True)
class ExactVectors:
    """A read-only snapshot of flat vectors: one column per vector, in storage order, and each one's key."""

    columns: np.ndarray  # (dimension, n padded to a multiple of PAD) float32, zeros past the n-th column
    keys: np.ndarray  # (n,) int64
    by_key: np.ndarray  # positions in key order, to find a key's vector

    @classmethod
    def of(cls, vectors: np.ndarray, keys: np.ndarray) -> ExactVectors:
        """A snapshot of row vectors (one per key, in storage order), transposed once here."""
        count, dimension = vectors.shape
        columns = np.zeros((dimension, -(-count // PAD) * PAD), dtype=np.float32)
        columns[:, :count] = vectors.T
        keys = np.asarray(keys, dtype=np.int64).copy()
        return cls(columns, keys, np.argsort(keys, kind="stable"))

    def __len__(self) -> int:
        return len(self.keys)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, keys) of the ``min(k, n)`` best per query, best first, each shaped (queries, min(k, n))."""
        queries = np.asarray(queries, dtype=np.float32)
        wanted = min(max(k, 0), len(self.keys))
        scores = np.zeros((len(queries), wanted), dtype=np.float32)
        keys = np.full((len(queries), wanted), -1, dtype=np.int64)
        if wanted == 0:
            return scores, keys
        for row, query in enumerate(queries):
            found = self.scores(query)
            best = best_positions(found, wanted)
            scores[row], keys[row] = found[best], self.keys[best]
        return scores, keys

    def fetch(self, keys: np.ndarray) -> np.ndarray:
        """The vectors stored under these keys, one row each (KeyError for a key not stored)."""
        keys = np.asarray(keys, dtype=np.int64)
        found = self.by_key[np.minimum(np.searchsorted(self.keys, keys, sorter=self.by_key), len(self.keys) - 1)]
        if len(keys) and (not len(self.keys) or (self.keys[found] != keys).any()):
            raise KeyError(f"no vector stored under some of the keys {keys.tolist()[:5]}")
        return np.ascontiguousarray(self.columns[:, found].T)

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Inner product of one query with every vector, in storage order."""
        faiss: Any = importlib.import_module("faiss")  # the FAISS backend's own dependency, loaded with it
        width = self.columns.shape[1]
        found = np.zeros(width, dtype=np.float32)
        into = faiss.swig_ptr(found)
        for dimension in np.flatnonzero(query).tolist():
            faiss.fvec_madd(width, into, float(query[dimension]), faiss.swig_ptr(self.columns[dimension]), into)
        return found[: len(self.keys)]


def best_positions(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores as FAISS's flat search finds them: equal scores highest position first,
    and of the scores equal to the k-th, those its heap keeps.

    FAISS reads the vectors in order into a heap of k, admitting a score only above the heap's least, and evicts
    the lowest position among equal least scores. So a score equal to the k-th best gets in only while fewer than
    k scores at least as high have been read, and of those that got in, the highest positions stay.
    """
    if k >= len(scores):
        chosen = np.arange(len(scores))
    else:
        cut = np.partition(scores, len(scores) - k)[len(scores) - k]
        above = np.flatnonzero(scores > cut)
        last_read = np.flatnonzero(scores >= cut)[k - 1]
        admitted = np.flatnonzero(scores[: last_read + 1] == cut)
        chosen = np.concatenate([above, admitted[len(admitted) - (k - len(above)) :]])
    return chosen[np.lexsort((-chosen, -scores[chosen]))]
