"""What only the Milvus store has to show: how its writes recover, on a real Milvus (milvus-lite or MILVUS_URI)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.embedding.base import Embedder
from assistant.indexing.analysis import Analysis
from assistant.settings import Settings, StoreSettings
from assistant.store.base import open_store
from assistant.store.milvus import MilvusStore, collection_name
from assistant.store.milvus_collections import Build, alias_target, builds_of, meta_name, point
from assistant.store.sync import sync_store
from tests.conftest import CORPUS
from tests.store.test_contract import CONTACT, one


def test_rows_a_failed_delete_left_behind_are_not_counted_and_go_with_the_next_write(
    milvus: str, tmp_path: Path, embedder: Embedder | None, demo_analysis: Analysis
) -> None:
    settings = Settings(index_dir=tmp_path / "index", store=StoreSettings(backend="milvus", uri=milvus))
    store = open_store(settings, embedder, create=True)
    assert isinstance(store, MilvusStore) and store.name == collection_name(settings)
    try:
        store.replace(demo_analysis)
        before = store.stats()
        scores = {h.passage.id: h.keyword_score for h in store.keyword_search(CONTACT, 10)}
        contact = one(demo_analysis, "faq-ko-contact")
        real = store.client.delete

        def losing_the_old_rows(collection: str, **options: Any) -> Any:
            if "token !=" in options.get("filter", ""):
                raise ConnectionError("lost on the way")
            return real(collection, **options)

        store.client.delete = losing_the_old_rows
        with pytest.raises(ConnectionError):
            store.replace(contact)
        store.client.delete = real
        assert store.stats() == before  # the old rows are still there, but not in the statistics
        store.replace(contact)
        assert store.stats() == before
        again = {h.passage.id: h.keyword_score for h in store.keyword_search(CONTACT, 10)}
        assert again == pytest.approx(scores, abs=1e-6)
        rows = store.client.query(store.name, filter='document_id == "faq-ko-contact"', output_fields=["token"])
        assert len({row["token"] for row in rows}) == 1 and len(rows) == len(contact.passages)
    finally:
        store.drop()
        store.close()


def test_a_new_index_is_indexed_and_loaded_without_sleeping_on_pymilvus_polls(
    milvus: str, tmp_path: Path, embedder: Embedder | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pymilvus's ``create_collection(index_params=...)`` sleeps half a second before each index's first state
    check (8 indexes: 4 s per new index); the store asks at once instead."""
    slept: list[float] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    settings = Settings(index_dir=tmp_path / "index", store=StoreSettings(backend="milvus", uri=milvus))
    store = open_store(settings, embedder, create=True)
    assert isinstance(store, MilvusStore)
    try:
        monkeypatch.undo()
        assert sum(slept) < 0.5, slept
        wanted = {store.name: {"dense", "sparse", "document_id", "passage_id", "language"},
                  meta_name(store.name): {"v", "kind", "tid"}}  # fmt: skip
        for alias, fields in wanted.items():
            collection = alias_target(store.client, alias)
            assert collection is not None
            client = store.client
            described = [client.describe_index(collection, name) for name in client.list_indexes(collection)]
            assert {d["field_name"] for d in described} == fields and {d["state"] for d in described} == {"Finished"}
            assert str(store.client.get_load_state(collection)["state"]) == "Loaded"
        assert store.keyword_search(CONTACT, 5) == [] and store.stats().passages == 0
    finally:
        store.drop()
        store.close()


def test_an_unreachable_milvus_says_where_it_looked(tmp_path: Path) -> None:
    from assistant.errors import StoreUnavailableError

    settings = Settings(index_dir=tmp_path, store=StoreSettings(backend="milvus", uri="http://127.0.0.1:9"))
    with pytest.raises(StoreUnavailableError, match=r"http://127\.0\.0\.1:9.*ASSISTANT_STORE__URI"):
        open_store(settings, None)


def test_a_full_rebuild_is_searched_only_once_whole_and_a_failed_one_leaves_the_old_index_serving(
    milvus: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, settings = _three_documents_synced(milvus, tmp_path)
    store = open_store(settings)
    assert isinstance(store, MilvusStore)
    try:
        served = alias_target(store.client, store.index)
        found = [h.passage.id for h in store.keyword_search(CONTACT, 5)]
        counted = store.stats()
        assert found and counted.documents > 3

        def failing(self: MilvusStore, analysis: Analysis) -> int:
            raise ConnectionError("lost on the way")

        monkeypatch.setattr(MilvusStore, "replace", failing)
        with pytest.raises(ConnectionError):
            sync_store(settings, corpus, full=True)
        monkeypatch.undo()
        killed = open_store(settings, fresh=True)  # a build whose process died before publishing
        killed.close()
        assert alias_target(store.client, store.index) == served  # readers never saw either build
        assert [h.passage.id for h in store.keyword_search(CONTACT, 5)] == found and store.stats() == counted
        assert len(builds_of(store.client, store.index)) == 4  # the served pair and the dead build's

        sync_store(settings, corpus, full=True)
        rebuilt = alias_target(store.client, store.index)
        assert rebuilt not in (None, served)
        assert sorted(builds_of(store.client, store.index)) == [rebuilt, meta_name(str(rebuilt))]
        assert [h.passage.id for h in store.keyword_search(CONTACT, 5)] == found and store.stats() == counted
        store.drop()
        assert not builds_of(store.client, store.index) and not store.client.has_collection(store.index)
    finally:
        store.drop()
        store.close()


def test_a_query_searches_the_build_whose_statistics_it_read_while_a_rebuild_is_published(
    milvus: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, settings = _three_documents_synced(milvus, tmp_path)
    reader = open_store(settings)
    assert isinstance(reader, MilvusStore)
    try:
        stale = reader.meta.stats(reader.fields)  # the served build's statistics, read just before a rebuild
        served = alias_target(reader.client, reader.index)
        (corpus / "zh-hant-xr-defense.md").unlink()  # the rebuild gives other term ids to other rows
        built: list[Build] = []

        def halfway(client: Any, index: str, build: Build) -> None:  # stopped between the two alias switches
            for collection in (build.passages, build.meta):
                client.flush(collection)
            point(client, meta_name(index), build.meta)
            built.append(build)

        monkeypatch.setattr("assistant.store.milvus.publish", halfway)
        sync_store(settings, corpus, full=True)
        monkeypatch.undo()
        rebuilt = built[0].passages
        assert alias_target(reader.client, meta_name(reader.index)) == meta_name(rebuilt)
        assert alias_target(reader.client, reader.index) == served != rebuilt
        halfway_hits = [(h.passage.id, round(h.keyword_score, 5)) for h in reader.keyword_search(CONTACT, 5)]

        point(reader.client, reader.index, rebuilt)
        whole = [(h.passage.id, round(h.keyword_score, 5)) for h in reader.keyword_search(CONTACT, 5)]
        assert whole and halfway_hits == whole

        for collection in builds_of(reader.client, reader.index):  # what publish does last: the old build goes
            if collection not in (rebuilt, meta_name(rebuilt)):
                reader.client.drop_collection(collection)
        real = reader.meta.stats
        calls: list[int] = []

        def stale_once(fields: Any) -> Any:
            calls.append(1)
            return stale if len(calls) == 1 else real(fields)

        monkeypatch.setattr(reader.meta, "stats", stale_once)
        assert [(h.passage.id, round(h.keyword_score, 5)) for h in reader.keyword_search(CONTACT, 5)] == whole
        assert len(calls) == 2  # the dropped build failed the first search, the second read found the new one
    finally:
        reader.drop()
        reader.close()


def _three_documents_synced(milvus: str, tmp_path: Path) -> tuple[Path, Settings]:
    """A corpus of three demo documents and the settings of a Milvus index built from it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("ko-contact-department.txt", "faq.jsonl", "zh-hant-xr-defense.md"):
        shutil.copy(CORPUS / name, corpus / name)
    settings = Settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", store=StoreSettings(backend="milvus", uri=milvus)
    )
    sync_store(settings, corpus)
    return corpus, settings
