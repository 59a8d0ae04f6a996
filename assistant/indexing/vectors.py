"""The ``VectorIndex`` contract: keyed vectors, inner-product search. FAISS implements it; a Milvus
backend would implement the same six methods, and no caller would change."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ..registry import Registry


@runtime_checkable
class VectorIndex(Protocol):
    """Vectors under int64 keys; search by inner product (cosine on normalised vectors)."""

    kind: str
    dimension: int

    def __len__(self) -> int:
        """Number of live vectors."""
        ...

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Store vectors (float32, one row per key)."""
        ...

    def remove(self, keys: np.ndarray) -> None:
        """Forget the vectors under these keys."""
        ...

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, keys) of the k best per query, each shaped (queries, k); missing slots have key -1."""
        ...

    def fetch(self, keys: np.ndarray) -> np.ndarray:
        """The stored vectors of these keys, one row each (to score candidates found by keyword only)."""
        ...

    def save(self, folder: Path) -> None:
        """Persist into an index folder (a remote backend may store only its connection details)."""
        ...

    @classmethod
    def create(cls, dimension: int, expected_count: int, layout: str, hnsw_above: int) -> VectorIndex:
        """An empty index for about ``expected_count`` vectors (``layout``: "auto", "flat" or "hnsw")."""
        ...

    @classmethod
    def load(cls, folder: Path, dimension: int, kind: str) -> VectorIndex:
        """Open what ``save`` wrote."""
        ...


VECTOR_INDEXES: Registry[VectorIndex] = Registry(
    "vector index", {"faiss": "assistant.indexing.faiss_index:FaissVectorIndex"}
)
