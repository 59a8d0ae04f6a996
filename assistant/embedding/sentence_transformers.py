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
from .base import normalise_rows

log = logging.getLogger(__name__)

_BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章："


def default_prefixes(model: str) -> tuple[str, str]:
    """(query prefix, passage prefix) that the model family was trained with."""
    name = model.lower()
    if "e5" in name and "instruct" not in name:
        return "query: ", "passage: "
    if "bge" in name and "zh" in name and "m3" not in name:
        return _BGE_ZH_QUERY, ""
    return "", ""


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
                f"Fetch it once on a connected machine with: {fetch}"
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
