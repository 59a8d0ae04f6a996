"""The ``SearchStore`` contract: the one seam the retrieval side goes through, its registry, and how settings
open a store.

A store holds an index's passages with their keyword side and vectors. It takes analysed documents
(``indexing.analysis``: passages, keyword terms, vectors) and answers keyword, dense and hybrid searches with
``Hit`` records that carry passages (and so passage ids), never row numbers. Backends, one module each:

    local    FAISS + BM25 files in the index folder, one generation per write (``store.local``)
    milvus   a Milvus 2.5+ server; BM25 weights from our analysers in a sparse vector (``store.milvus``)

A third backend is one module with a class offering ``open(settings, embedder)`` and the methods below, named in
``SEARCH_STORES`` or by a ``module:Class`` path in ``ASSISTANT_STORE__BACKEND``.
"""

from __future__ import annotations

import inspect
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..embedding.base import Embedder, create_embedder
from ..errors import ConfigurationError
from ..indexing.analysis import Analysis
from ..indexing.manifest import Manifest
from ..indexing.search_index import DocumentEntry
from ..languages import CHINESE
from ..records import Document, Hit, Language, Passage
from ..registry import Registry
from ..settings import RetrievalSettings, Settings


@dataclass(frozen=True)
class Filters:
    """What a search is limited to; empty collections mean no limit."""

    document_ids: Collection[str] = ()
    languages: Collection[Language] = ()

    def admits(self, passage: Passage) -> bool:
        """Whether a passage passes the filters."""
        if self.document_ids and passage.document_id not in self.document_ids:
            return False
        return not self.languages or passage.language in self.languages


def language_group(language: Language) -> frozenset[Language]:
    """The languages the keyword side treats as one: both Chinese scripts together, any other alone."""
    return frozenset(CHINESE) if language in CHINESE else frozenset({language})


@dataclass(frozen=True)
class StoreStats:
    """How much a store holds."""

    passages: int
    documents: int
    languages: dict[str, int] = field(default_factory=dict)


@runtime_checkable
class SearchStore(Protocol):
    """Passages with a keyword side and a dense side, searched by query text.

    Scores: ``keyword_score`` in [0, 1) (the weighted BM25 fields with the document prior, as
    ``indexing.keyword`` defines it), ``dense_score`` the cosine, ``score`` the fused figure of the
    ``RetrievalSettings`` passed to ``hybrid_search`` (or the side's own score in the single-side searches).
    """

    settings: Settings
    embedder: Embedder | None

    @property
    def dense_enabled(self) -> bool:
        """Whether searches use the dense side (an embedder and vectors)."""
        ...

    @property
    def generation(self) -> str | None:
        """The version searched now, for a store that searches a snapshot (the local generation); else None."""
        ...

    def refresh(self) -> bool:
        """Search the latest version if another process wrote one since (a snapshot store); returns whether it
        changed. A store searched in place (Milvus) has nothing to do: False."""
        ...

    def analyse(self, documents: Sequence[Document]) -> Analysis:
        """Chunk, tokenise and embed documents with this store's settings; reads nothing a write changes."""
        ...

    def replace(self, analysis: Analysis) -> int:
        """Add analysed documents, replacing any with the same ids; returns the passages written.

        Idempotent; searchable when it returns; a write that fails leaves the previous version searchable."""
        ...

    def delete(self, document_ids: Sequence[str]) -> int:
        """Remove documents by id (unknown ones are ignored); returns the passages removed."""
        ...

    def keyword_search(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        """The k passages with the best non-zero keyword scores, best first."""
        ...

    def dense_search(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        """The k passages nearest the query's vector, best first; empty without a dense side."""
        ...

    def hybrid_search(
        self, query: str, candidates: int, fusion: RetrievalSettings, filters: Filters | None = None
    ) -> list[Hit]:
        """Up to ``candidates`` from each side, fused as ``fusion`` says, best first, every hit carrying both
        its keyword and its dense score."""
        ...

    def passages(self, passage_ids: Sequence[str]) -> list[Passage]:
        """The passages with these ids, in the order asked; unknown ids are left out."""
        ...

    def documents(self) -> list[DocumentEntry]:
        """Every indexed document, by id."""
        ...

    def stats(self) -> StoreStats:
        """Passages, documents and passages per language."""
        ...

    def rarity(self, terms: Sequence[str]) -> dict[str, float]:
        """Each word-level term's rarity among the passages: 0 in every passage, 1 in none."""
        ...

    def manifest(self) -> Manifest:
        """The index's identity and contents: chunking, tokenizers, embedder, counts (as the local manifest)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


@runtime_checkable
class BuiltAside(Protocol):
    """A store that a full rebuild (``open_store(fresh=True)``) writes beside the index being served: readers keep
    the old one until ``publish``; ``discard`` (a failed build) drops the new one and leaves the old serving."""

    def publish(self) -> None:
        """Make the index built aside the one searched, and drop the previous one."""
        ...

    def discard(self) -> None:
        """Drop the index built aside."""
        ...


SEARCH_STORES: Registry[SearchStore] = Registry(
    "search store",
    {
        "local": "assistant.store.local:LocalStore",
        "milvus": "assistant.store.milvus:MilvusStore",
    },
)

_CONTRACT = (
    *(name for name, member in inspect.getmembers(SearchStore) if not name.startswith("_") and callable(member)),
    "dense_enabled",
    "generation",
)


def open_store(
    settings: Settings, embedder: Embedder | None = None, *, create: bool = False, fresh: bool = False
) -> SearchStore:
    """The store ``settings.store.backend`` names, over ``settings.index_dir``; checked against the contract.

    ``create``: start an empty index when there is none (a build) instead of raising ``IndexNotFoundError``;
    ``fresh``: start an empty one whatever is there (a full rebuild; the old one stays until the first write).
    Raises ``IndexMismatchError`` when the index was built with other settings.
    """
    backend = SEARCH_STORES.load(settings.store.backend)
    opener = getattr(backend, "open", None)
    if not callable(opener):
        raise ConfigurationError(
            f"The search store '{settings.store.backend}' has no open(settings, embedder, create, fresh) class "
            "method. "
            "Give it one, or choose another ASSISTANT_STORE__BACKEND."
        )
    missing = [name for name in _CONTRACT if inspect.getattr_static(backend, name, None) is None]
    if missing:
        raise ConfigurationError(
            f"The search store '{settings.store.backend}' does not fulfil the SearchStore contract: it lacks "
            f"{', '.join(missing)}."
        )
    if embedder is None:
        embedder = create_embedder(settings.embedder)
    store: SearchStore = opener(settings, embedder, create=create, fresh=fresh)
    return store
