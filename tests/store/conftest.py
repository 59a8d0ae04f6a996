"""The search store backends the contract suite runs on: one fixture each (a third backend adds one here)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.embedding.base import Embedder, create_embedder
from assistant.indexing.analysis import Analysis
from assistant.ingest.corpus import read_corpus
from assistant.records import Document
from assistant.settings import Settings, StoreSettings
from assistant.store.base import SearchStore, open_store
from tests.conftest import CORPUS
from tests.store.milvus_server import milvus_uri

OpenStore = Callable[..., SearchStore]


@pytest.fixture(scope="session")
def milvus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Milvus server for the session (``MILVUS_URI``, or milvus-lite on loopback)."""
    with milvus_uri(tmp_path_factory.mktemp("milvus")) as uri:
        yield uri


@pytest.fixture(scope="session")
def embedder() -> Embedder | None:
    """The default embedder, built once."""
    return create_embedder(Settings().embedder)


@pytest.fixture(scope="session")
def demo_documents() -> list[Document]:
    return read_corpus(CORPUS).documents


def _local(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    return Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index")


def _milvus(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    uri = request.getfixturevalue("milvus")
    return Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index", store=StoreSettings(backend="milvus", uri=uri))


BACKENDS = {"local": _local, "milvus": _milvus}


@pytest.fixture(params=sorted(BACKENDS))
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for an empty index on each backend."""
    return BACKENDS[request.param](tmp_path, request)


@pytest.fixture
def open_new(store_settings: Settings, embedder: Embedder | None) -> Iterator[OpenStore]:
    """Opens stores over the test's index (created when missing); drops what a Milvus test made at the end."""
    opened: list[SearchStore] = []

    def opener(settings: Settings | None = None, **options: object) -> SearchStore:
        store = open_store(settings or store_settings, embedder, create=True, **options)  # type: ignore[arg-type]
        opened.append(store)
        return store

    yield opener
    for store in opened:
        drop = getattr(store, "drop", None)
        if drop is not None:
            drop()
        store.close()


@pytest.fixture
def filled(open_new: OpenStore, demo_analysis: Analysis) -> SearchStore:
    """A store holding the demo corpus, the test's own (for tests that write to it)."""
    store = open_new()
    store.replace(demo_analysis)
    return store


@pytest.fixture(scope="module", params=sorted(BACKENDS))
def written(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, embedder: Embedder | None,
    demo_analysis: Analysis,
) -> Iterator[SearchStore]:  # fmt: skip
    """A store holding the demo corpus, on each backend, shared by a module's tests that only read it (writing
    to it is for ``filled``: each of those tests gets its own)."""
    store = open_store(BACKENDS[request.param](tmp_path_factory.mktemp("written"), request), embedder, create=True)
    try:
        store.replace(demo_analysis)
        yield store
    finally:
        drop = getattr(store, "drop", None)
        if drop is not None:
            drop()
        store.close()


@pytest.fixture(scope="session")
def demo_analysis(demo_documents: list[Document], embedder: Embedder | None, tmp_path_factory) -> Analysis:  # type: ignore[no-untyped-def]
    """The demo corpus analysed once (the same for every backend: same settings)."""
    settings = Settings(index_dir=tmp_path_factory.mktemp("analysis") / "index")
    store = open_store(settings, embedder, create=True)
    return store.analyse(demo_documents)
