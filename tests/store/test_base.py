"""How settings open a search store: the registry, the contract check, the errors that say what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigurationError, IndexNotFoundError
from assistant.records import Language, Passage
from assistant.settings import Settings, StoreSettings
from assistant.store.base import SEARCH_STORES, Filters, open_store
from assistant.store.local import LocalStore


class HalfAStore:
    """Opens, but offers only part of the contract."""

    @classmethod
    def open(cls, settings: Settings, embedder: object, *, create: bool = False, fresh: bool = False) -> HalfAStore:
        return cls()

    def keyword_search(self, query: str, k: int) -> list[object]:
        return []


def test_the_default_backend_is_the_local_one_and_a_missing_index_says_how_to_build(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index")
    assert settings.store.backend == "local" and SEARCH_STORES.names() == ["local", "milvus"]
    with pytest.raises(IndexNotFoundError, match="assistant index build"):
        open_store(settings, None)
    assert isinstance(open_store(settings, None, create=True), LocalStore)


def test_unknown_and_incomplete_backends_are_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"Unknown search store 'nope'.*local, milvus"):
        open_store(Settings(index_dir=tmp_path, store=StoreSettings(backend="nope")), None)
    half = Settings(index_dir=tmp_path, store=StoreSettings(backend=f"{__name__}:HalfAStore"))
    with pytest.raises(ConfigurationError, match=r"does not fulfil the SearchStore contract.*dense_search"):
        open_store(half, None)


def test_the_store_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_STORE__BACKEND", "milvus")
    monkeypatch.setenv("ASSISTANT_STORE__URI", "http://milvus.internal:19530")
    store = Settings().store
    assert (store.backend, store.uri) == ("milvus", "http://milvus.internal:19530")


def test_filters_admit_by_document_and_language() -> None:
    passage = Passage("d#0", "d", "t", "", "", Language.KOREAN, "본문", 0, 2)
    assert Filters().admits(passage)
    assert Filters(document_ids={"d"}, languages={Language.KOREAN}).admits(passage)
    assert not Filters(document_ids={"e"}).admits(passage)
    assert not Filters(languages={Language.SIMPLIFIED}).admits(passage)
