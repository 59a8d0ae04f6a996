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
        return normalise_rows(self._vectors([normalize(text) for text in texts]))

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        """The unnormalised vectors of normalised texts, all texts' n-grams hashed and counted at once.

        Each (text, n-gram) weight is added into its bucket in the order the per-text loop used (n = 1, 2, 3, each
        in sorted hash order, one float64 sum from zero), so the vectors are bit for bit what it gave."""
        joined = ["".join(text.split()) for text in texts]
        lengths = np.fromiter(map(len, joined), dtype=np.int64, count=len(joined))
        codes = np.frombuffer("".join(joined).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        row_of = np.repeat(np.arange(len(joined), dtype=np.int64), lengths)
        cells: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for n, weight in zip((1, 2, 3), _NGRAM_WEIGHTS, strict=True):
            if len(codes) < n:
                break
            windows = len(codes) - n + 1
            hashed = np.zeros(windows, dtype=np.uint64)
            for k in range(n):
                hashed = hashed * np.uint64(1_000_003) + codes[k : windows + k] * _PRIMES[k]
            hashed ^= hashed >> np.uint64(29)
            rows = row_of[:windows]
            inside = rows == row_of[n - 1 :]  # the n-gram lies within one text
            hashed, rows = hashed[inside], rows[inside]
            order = np.lexsort((hashed, rows))  # by text, then hash: each text's ``np.unique``
            hashed, rows = hashed[order], rows[order]
            first = np.ones(len(hashed), dtype=bool)
            first[1:] = (hashed[1:] != hashed[:-1]) | (rows[1:] != rows[:-1])
            starts = np.flatnonzero(first)
            counts = np.diff(np.append(starts, len(hashed)))
            buckets, rows = hashed[starts], rows[starts]
            signs = np.where((buckets >> np.uint64(40)) & np.uint64(1), 1.0, -1.0)
            values.append(weight * signs * (1.0 + np.log(counts)))
            cells.append(rows * self.dimension + (buckets % np.uint64(self.dimension)).astype(np.int64))
        if not cells:
            return np.zeros((len(texts), self.dimension), dtype=np.float32)
        # ``bincount`` adds its weights one by one in array order, as ``np.add.at`` did per text
        cells_all, values_all = np.concatenate(cells), np.concatenate(values)
        summed = np.bincount(cells_all, weights=values_all, minlength=len(texts) * self.dimension)
        return summed.reshape(len(texts), self.dimension).astype(np.float32)
