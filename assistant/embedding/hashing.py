"""The offline default embedder: hashed character n-grams, no model and no download.

Each text is folded like the keyword index (NFKC, lower case, Simplified), its character 1-, 2- and
3-grams are hashed into ``dimension`` signed buckets with sublinear counts, and the vector is
normalised. It is lexical, not semantic, but it is deterministic, instant to build, works for any
script, and gives the dense side of the hybrid a different view of the text than BM25 does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..languages import normalize
from ..settings import EmbedderSettings
from .base import EmbedderInfo, check_prefixes, normalise_rows

_PRIMES = np.array([2654435761, 2246822519, 3266489917], dtype=np.uint64)
_NGRAM_WEIGHTS = (0.5, 1.0, 1.0)


class HashingEmbedder:
    """Signed feature hashing of character n-grams."""

    VERSION = "1"
    # Character n-grams cannot relate Hangul to Han: its cosines across the languages are hash collisions.
    crosses_languages = False

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.id = f"hashing-ngram-1to3-d{dimension}-v{self.VERSION}"

    @classmethod
    def from_settings(cls, settings: EmbedderSettings) -> HashingEmbedder:
        """The embedder of ``settings.dimension`` buckets (it takes no prefixes: the space is symmetric)."""
        check_prefixes(settings, ("", ""), "hashing")
        return cls(settings.dimension)

    def describe(self) -> EmbedderInfo:
        """Name, n-gram scheme, version and dimension."""
        return EmbedderInfo("hashing", "character n-grams 1-3", self.VERSION, self.dimension)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of passages."""
        return self._embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of queries (the same function: the space is symmetric)."""
        return self._embed(texts)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._vector(normalize(text))
        return normalise_rows(out)

    def _vector(self, text: str) -> np.ndarray:
        codes = np.frombuffer("".join(text.split()).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        vector = np.zeros(self.dimension, dtype=np.float64)
        for n, weight in zip((1, 2, 3), _NGRAM_WEIGHTS, strict=True):
            if len(codes) < n:
                break
            hashed = np.zeros(len(codes) - n + 1, dtype=np.uint64)
            for k in range(n):
                hashed = hashed * np.uint64(1_000_003) + codes[k : len(codes) - n + 1 + k] * _PRIMES[k]
            hashed ^= hashed >> np.uint64(29)
            buckets, counts = np.unique(hashed, return_counts=True)
            signs = np.where((buckets >> np.uint64(40)) & np.uint64(1), 1.0, -1.0)
            values = weight * signs * (1.0 + np.log(counts))
            np.add.at(vector, (buckets % np.uint64(self.dimension)).astype(np.int64), values)
        return vector.astype(np.float32)
