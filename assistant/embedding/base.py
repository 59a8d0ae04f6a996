"""The ``Embedder`` contract, its registry, and how settings become an embedder."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import EmbedderUnavailableError
from ..registry import Registry
from ..settings import EmbedderSettings

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; queries and passages may be encoded differently."""

    id: str
    dimension: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """One row per passage, shape (len(texts), dimension), float32, unit length."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One row per query, same space as the passages."""
        ...


EMBEDDERS: Registry[Embedder] = Registry(
    "embedder",
    {
        "hashing": "assistant.embedding.hashing:HashingEmbedder",
        "sentence-transformers": "assistant.embedding.sentence_transformers:SentenceTransformerEmbedder",
    },
)

_warned: set[str] = set()


def create_embedder(settings: EmbedderSettings) -> Embedder | None:
    """The embedder the settings ask for; ``None`` for name 'none' (keyword-only retrieval).

    A model that is not available on this machine is reported once, with the command that fetches it,
    and the offline hashing embedder takes its place so the assistant keeps serving.
    """
    if settings.name == "none":
        return None
    if settings.name == "hashing":
        return EMBEDDERS.create("hashing", dimension=settings.dimension)
    try:
        options = {"model": settings.model, "device": settings.device, "batch_size": settings.batch_size}
        return EMBEDDERS.create(settings.name, **options)
    except EmbedderUnavailableError as error:
        if settings.model not in _warned:
            _warned.add(settings.model)
            log.warning("%s Using the offline hashing embedder until then.", error)
        return EMBEDDERS.create("hashing", dimension=settings.dimension)


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as contiguous float32."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors
