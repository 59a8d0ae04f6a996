"""Exact inner-product search over flat vectors held dimension-major, ranked as FAISS's ``IndexFlatIP`` ranks.

A query is one matrix-vector product over a (dimension, N) matrix read front to back (transposed once, when the
snapshot is made) and a partition for the k best: no OpenMP thread team to start, no per-query heap, and no
change to any process-wide thread setting (numpy's BLAS keeps its own).

The ranking is FAISS's (1.15, one query at a time), so results do not move when a search switches between the two:
best first, equal scores listed last-stored first. Where equal scores straddle the k-th place, which ones FAISS
keeps follows its SIMD blocks and heap; this scan keeps the first stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ExactVectors:
    """A read-only snapshot of flat vectors: one column per vector, in storage order, and each one's key."""

    columns: np.ndarray  # (dimension, n) float32
    keys: np.ndarray  # (n,) int64

    @classmethod
    def of(cls, vectors: np.ndarray, keys: np.ndarray) -> ExactVectors:
        """A snapshot of row vectors (one per key, in storage order), transposed once here."""
        columns = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).T)
        return cls(columns, np.asarray(keys, dtype=np.int64).copy())

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
            found = query @ self.columns
            best = best_positions(found, wanted)
            scores[row], keys[row] = found[best], self.keys[best]
        return scores, keys


def best_positions(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores in FAISS's order (equal scores highest position first); of equal scores
    straddling the cut, the lowest positions are kept."""
    if k < len(scores):
        cut = scores[np.argpartition(scores, len(scores) - k)[len(scores) - k :]].min()
        candidates = np.flatnonzero(scores >= cut)
    else:
        candidates = np.arange(len(scores))
    kept = candidates[np.lexsort((candidates, -scores[candidates]))[:k]]
    return kept[np.lexsort((-kept, -scores[kept]))]
