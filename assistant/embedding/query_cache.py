"""A small LRU of query vectors in front of any embedder, so a repeated question is not embedded again."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..shared.recent import Recent
from .base import Embedder, EmbedderInfo


class QueryCache:
    """Wraps an embedder: passages pass through, query vectors are kept for the last ``size`` distinct queries."""

    def __init__(self, embedder: Embedder, size: int = 256) -> None:
        self.inner = embedder
        self.size = size
        self._vectors: Recent[np.ndarray] = Recent(size)

    @property
    def hits(self) -> int:
        """Queries answered from the cache (each time asked)."""
        return self._vectors.hits

    @property
    def misses(self) -> int:
        """Distinct queries embedded."""
        return self._vectors.misses

    @property
    def id(self) -> str:
        """The wrapped embedder's id."""
        return self.inner.id

    @property
    def dimension(self) -> int:
        """The wrapped embedder's dimension."""
        return self.inner.dimension

    @property
    def crosses_languages(self) -> bool:
        """Whether the wrapped embedder relates Korean to Chinese (``False`` only when it says so)."""
        return bool(getattr(self.inner, "crosses_languages", True))

    def describe(self) -> EmbedderInfo:
        """The wrapped embedder's description."""
        return self.inner.describe()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Passages are never cached: each is embedded once, when indexed."""
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Cached rows for queries seen recently; the others are embedded together in one call."""
        rows = self._vectors.many(texts, self._embedded)
        if not texts:
            return self.inner.embed_queries([])
        return np.stack([rows[text] for text in texts])

    def _embedded(self, texts: list[str]) -> list[np.ndarray]:
        """Fresh query vectors, read-only copies (a caller cannot change what the cache keeps)."""
        vectors = []
        for vector in self.inner.embed_queries(texts):
            vector = vector.copy()
            vector.flags.writeable = False
            vectors.append(vector)
        return vectors
