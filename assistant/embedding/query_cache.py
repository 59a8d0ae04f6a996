"""A small LRU of query vectors in front of any embedder, so a repeated question is not embedded again."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from .base import Embedder, EmbedderInfo


class QueryCache:
    """Wraps an embedder: passages pass through, query vectors are kept for the last ``size`` distinct queries."""

    def __init__(self, embedder: Embedder, size: int = 256) -> None:
        self.inner = embedder
        self.size = size
        self.hits = 0
        self.misses = 0
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

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
        rows: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                vector = self._vectors.get(text)
                if vector is not None:
                    self._vectors.move_to_end(text)
                    rows[text] = vector
            self.hits += sum(1 for text in texts if text in rows)
        missing = list(dict.fromkeys(text for text in texts if text not in rows))
        if missing:
            fresh = self.inner.embed_queries(missing)
            with self._lock:
                self.misses += len(missing)
                for text, vector in zip(missing, fresh, strict=True):
                    vector = vector.copy()
                    vector.flags.writeable = False
                    rows[text] = vector
                    self._vectors[text] = vector
                    self._vectors.move_to_end(text)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        if not texts:
            return self.inner.embed_queries([])
        return np.stack([rows[text] for text in texts])
