"""The index as a whole: save/load, settings checks, incremental updates, atomic swaps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import IndexMismatchError, IndexNotFoundError, IngestError
from assistant.indexing import search_index
from assistant.indexing.builder import add_files, build_index, open_index, remove_documents
from assistant.indexing.manifest import FORMAT_VERSION, Manifest
from assistant.indexing.storage import current_generation
from assistant.retrieval.retriever import Retriever
from assistant.settings import Settings
from assistant.text.kiwi import use_default_words, use_multi_words
from tests.conftest import CORPUS


def copy_corpus(tmp_path: Path, names: list[str] | None = None) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in sorted(CORPUS.iterdir()):
        if names is None or path.stem in names:
            (folder / path.name).write_bytes(path.read_bytes())
    return folder


def test_manifest_describes_the_index(demo_index_dir: Path) -> None:
    manifest = Manifest.read(current_generation(demo_index_dir))
    assert manifest.format_version == FORMAT_VERSION
    assert manifest.documents >= 30 and manifest.passages > manifest.documents
    assert set(manifest.languages) == {"ko", "zh-Hant", "zh-Hans"}
    assert manifest.embedder and manifest.embedder.startswith("hashing") and manifest.dimension == 256
    assert {"kiwipiepy", "jieba", "opencc"} <= set(manifest.tokenizers["morphemes"])
    assert len(manifest.corpus_checksum) == 64 and manifest.vector_index == "flat"


def test_loading_with_other_settings_fails_clearly(demo_index_dir: Path) -> None:
    other = Settings(index_dir=demo_index_dir, chunking={"size": 500, "overlap": 50})
    with pytest.raises(IndexMismatchError, match="chunking") as error:
        open_index(other)
    assert "assistant index build --full" in str(error.value)
    with pytest.raises(IndexMismatchError, match="embedder"):
        open_index(Settings(index_dir=demo_index_dir, embedder={"dimension": 128}))


def test_kiwis_multi_words_setting_is_recorded_and_an_index_is_refused_the_other_way(
    tmp_path: Path, demo_index_dir: Path
) -> None:
    corpus = copy_corpus(tmp_path, ["ko-xr-defense"])
    without = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", dictionary={"korean_multi_words": False})
    try:
        build_index(without)
        manifest = Manifest.read(current_generation(without.index_dir))
        assert manifest.tokenizers["morphemes"]["kiwi_multi_words"] == "off"
        assert open_index(without).documents
        with pytest.raises(IndexMismatchError, match="ASSISTANT_DICTIONARY__KOREAN_MULTI_WORDS=false") as error:
            open_index(Settings(corpus_dir=corpus, index_dir=without.index_dir))
        assert "multi-word dictionary was off when the index was built and is on now" in str(error.value)
        assert f"Rebuild it with: assistant index build --full --index {without.index_dir}" in str(error.value)

        # an index built with the default (the multi-word dictionary on) does not record it, and refuses off
        assert "kiwi_multi_words" not in Manifest.read(current_generation(demo_index_dir)).tokenizers["morphemes"]
        with pytest.raises(IndexMismatchError, match="ASSISTANT_DICTIONARY__KOREAN_MULTI_WORDS=true"):
            open_index(Settings(index_dir=demo_index_dir, dictionary={"korean_multi_words": False}))
    finally:
        use_multi_words(True)  # the process-wide choice back to the default for the tests after this one


def test_kiwis_default_words_setting_is_recorded_and_an_index_is_refused_the_other_way(
    tmp_path: Path, demo_index_dir: Path
) -> None:
    corpus = copy_corpus(tmp_path, ["ko-xr-defense"])
    without = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", dictionary={"korean_default_words": False})
    try:
        build_index(without)
        manifest = Manifest.read(current_generation(without.index_dir))
        assert manifest.tokenizers["morphemes"]["kiwi_default_words"] == "off"
        assert "kiwi_multi_words" not in manifest.tokenizers["morphemes"]
        assert open_index(without).documents
        with pytest.raises(IndexMismatchError, match="ASSISTANT_DICTIONARY__KOREAN_DEFAULT_WORDS=false") as error:
            open_index(Settings(corpus_dir=corpus, index_dir=without.index_dir))
        assert "default dictionary of names was off when the index was built and is on now" in str(error.value)
        assert "KOREAN_MULTI_WORDS" not in str(error.value)
        assert f"Rebuild it with: assistant index build --full --index {without.index_dir}" in str(error.value)

        # an index built with the default (kiwi's default dictionary on) does not record it, and refuses off
        assert "kiwi_default_words" not in Manifest.read(current_generation(demo_index_dir)).tokenizers["morphemes"]
        with pytest.raises(IndexMismatchError, match="ASSISTANT_DICTIONARY__KOREAN_DEFAULT_WORDS=true"):
            open_index(Settings(index_dir=demo_index_dir, dictionary={"korean_default_words": False}))
    finally:
        use_default_words(True)  # the process-wide choice back to the default for the tests after this one
        use_multi_words(True)


def test_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="assistant index build"):
        open_index(Settings(index_dir=tmp_path / "nothing"))


def test_a_newer_format_is_refused(tmp_path: Path, settings: Settings) -> None:
    build_index(settings, corpus_dir=copy_corpus(tmp_path, ["ko-xr-defense"]))
    manifest_file = current_generation(settings.index_dir) / "manifest.json"
    data = json.loads(manifest_file.read_text())
    manifest_file.write_text(json.dumps({**data, "format_version": FORMAT_VERSION + 1}))
    with pytest.raises(IndexMismatchError, match="format version"):
        open_index(settings)


def test_an_index_of_the_previous_format_is_refused_with_the_rebuild_command(
    tmp_path: Path, settings: Settings
) -> None:
    build_index(settings, corpus_dir=copy_corpus(tmp_path, ["ko-xr-defense"]))
    manifest_file = current_generation(settings.index_dir) / "manifest.json"
    data = json.loads(manifest_file.read_text())
    manifest_file.write_text(json.dumps({**data, "format_version": 1}))  # passages.jsonl, weights made on load
    with pytest.raises(IndexMismatchError, match="format version 1") as error:
        open_index(settings)
    assert "assistant index build --full" in str(error.value)


def test_a_loaded_index_holds_and_scores_what_was_saved(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.embedding.base import create_embedder
    from assistant.indexing.bm25 import BM25Field
    from assistant.ingest.corpus import read_corpus

    built = search_index.SearchIndex(settings, create_embedder(settings.embedder))
    built.add_documents(read_corpus(CORPUS).documents)
    built.save(settings.index_dir)
    monkeypatch.setattr(BM25Field, "_reweight", lambda *_: pytest.fail("re-weighted on load"))
    loaded = open_index(settings)
    assert list(loaded.passages) == list(built.passages) and loaded.manifest().languages == built.manifest().languages
    for query in ("메타버스 서울 7대 분야", "國防 虛擬訓練", "首尔 虚拟灯笼节"):
        np.testing.assert_array_equal(loaded.keyword_scores(query), built.keyword_scores(query))
        for got, expected in zip(loaded.keyword_top(query, 10), built.keyword_top(query, 10), strict=True):
            np.testing.assert_array_equal(got, expected)


def test_incremental_updates_match_a_full_rebuild(tmp_path: Path, settings: Settings) -> None:
    corpus = copy_corpus(tmp_path)
    first = build_index(settings, corpus_dir=corpus)
    assert first.mode == "full"
    (corpus / "ko-xr-defense.md").unlink()
    changed = corpus / "zh-hans-seoul-tourism.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n首尔还计划举办虚拟灯笼节。\n", encoding="utf-8")
    (corpus / "new-note.txt").write_text("새 문서\n서울시는 가상 보신각 타종 행사를 연다.", encoding="utf-8")
    report = build_index(settings, corpus_dir=corpus)
    assert (report.mode, report.added, report.updated, report.removed) == (
        "incremental",
        ["new-note"],
        ["zh-hans-seoul-tourism"],
        ["ko-xr-defense"],
    )
    assert report.documents == first.documents
    incremental = Retriever(open_index(settings), settings.retrieval)
    full_settings = settings.model_copy(update={"index_dir": tmp_path / "full"})
    build_index(full_settings, corpus_dir=corpus)
    full = Retriever(open_index(full_settings), settings.retrieval)
    for query in ("虚拟灯笼节", "가상 보신각 타종", "國防 虛擬訓練", "메타버스 서울 7대 분야"):
        a = [(h.passage.id, round(h.score, 5)) for h in incremental.search(query)]
        b = [(h.passage.id, round(h.score, 5)) for h in full.search(query)]
        assert a == b, query
    assert not any(h.passage.document_id == "ko-xr-defense" for h in incremental.search("육군 사관학교 62억 원"))


def test_an_update_tokenises_only_the_changed_document(tmp_path: Path, settings: Settings, monkeypatch) -> None:
    corpus = copy_corpus(tmp_path)
    build_index(settings, corpus_dir=corpus)
    seen: list[str] = []
    original = search_index.SearchIndex.analyse

    def spy(self, documents):  # type: ignore[no-untyped-def]
        analysis = original(self, documents)
        seen.extend(p.document_id for p in analysis.passages)
        return analysis

    monkeypatch.setattr(search_index.SearchIndex, "analyse", spy)
    note = tmp_path / "extra.md"
    note.write_text("---\ntitle: 추가\n---\n\n## 요약\n\n서울시는 메타버스 120 센터를 연다.", encoding="utf-8")
    report = add_files(settings, [note])
    assert report.added == ["extra"] and set(seen) == {"extra"}
    hits = open_index(settings)
    assert "extra" in hits.documents
    remove_documents(settings, ["extra"])
    assert "extra" not in open_index(settings).documents
    with pytest.raises(IngestError, match="No document with id 'nope'"):
        remove_documents(settings, ["nope"])


def test_a_crash_while_building_leaves_the_previous_index_serving(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = copy_corpus(tmp_path, ["ko-xr-defense", "zh-hant-xr-medical"])
    build_index(settings, corpus_dir=corpus)
    before = current_generation(settings.index_dir)
    (corpus / "zh-hans-seoul-tourism.md").write_bytes((CORPUS / "zh-hans-seoul-tourism.md").read_bytes())

    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(search_index.KeywordIndex, "save", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        build_index(settings, corpus_dir=corpus)
    assert current_generation(settings.index_dir) == before
    assert not list(settings.index_dir.glob(".building-*"))
    index = open_index(settings)
    assert set(index.documents) == {"ko-xr-defense", "zh-hant-xr-medical"}


def test_an_empty_corpus_is_an_error_and_keeps_the_index(tmp_path: Path, settings: Settings) -> None:
    build_index(settings, corpus_dir=copy_corpus(tmp_path, ["ko-xr-defense"]))
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.md").write_text("", encoding="utf-8")
    with pytest.raises(IngestError, match="No documents could be read"):
        build_index(settings, corpus_dir=empty)
    assert set(open_index(settings).documents) == {"ko-xr-defense"}
    with pytest.raises(IngestError, match="does not exist"):
        build_index(settings, corpus_dir=tmp_path / "missing")


def test_keys_rows_and_vectors_stay_aligned_after_updates(demo_index_dir: Path, tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "copy")
    build_index(settings, corpus_dir=copy_corpus(tmp_path))
    remove_documents(settings, ["zh-hant-xr-medical", "ko-basic-plan-overview"])
    index = open_index(settings)
    assert index.embedder is not None and index.vectors is not None
    stored = index.vectors.fetch(index.keys)
    fresh = index.embedder.embed_passages([p.text for p in index.passages])
    np.testing.assert_allclose(stored, fresh, atol=1e-5)


def test_a_build_in_many_batches_scores_as_one_merge(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.embedding.base import create_embedder
    from assistant.ingest.corpus import read_corpus

    documents = read_corpus(CORPUS).documents
    whole = search_index.SearchIndex(settings, create_embedder(settings.embedder))
    whole.merge(whole.analyse(documents))
    batched = search_index.SearchIndex(settings, create_embedder(settings.embedder))
    batched.add_documents(documents[:3])  # an index that grows by later builds
    with monkeypatch.context() as patch:
        patch.setattr(search_index, "BATCH", 2)
        batched.add_documents(documents[3:])
    assert [p.id for p in batched.passages] == [p.id for p in whole.passages]
    for query in ("메타버스 서울 7대 분야", "國防 虛擬訓練", "首尔 虚拟灯笼节"):
        np.testing.assert_array_equal(batched.keyword_scores(query), whole.keyword_scores(query))
        assert batched.dense_search(query, 5)[2].tolist() == whole.dense_search(query, 5)[2].tolist()


def test_a_full_build_sizes_its_vector_index_for_all_passages(settings: Settings, monkeypatch) -> None:
    from assistant.embedding.base import create_embedder
    from assistant.ingest.corpus import read_corpus

    documents = read_corpus(CORPUS).documents
    monkeypatch.setattr(search_index, "BATCH", 2)
    probe = search_index.SearchIndex(settings, create_embedder(settings.embedder))
    probe.add_documents(documents[:2])
    first_batch = len(probe.passages)
    wide = settings.model_copy(update={"retrieval": settings.retrieval.model_copy(update={"hnsw_above": first_batch})})
    index = search_index.SearchIndex(wide, create_embedder(wide.embedder))
    index.add_documents(documents)
    assert index.vectors is not None and index.vectors.kind == "hnsw" and len(index.vectors) == len(index.passages)
    duplicated = search_index.SearchIndex(wide, create_embedder(wide.embedder))
    duplicated.add_documents([*documents[:3], documents[0]])  # a later batch replaces a document of an earlier one
    assert duplicated.vectors is not None and len(duplicated.vectors) == len(duplicated.passages)
    assert (np.diff(duplicated.keys) > 0).all()  # rows_of_keys searches them
    assert duplicated.rows_of_keys(duplicated.keys).tolist() == list(range(len(duplicated.passages)))


def test_an_index_without_passages_opens(tmp_path: Path, settings: Settings) -> None:
    from assistant.embedding.base import create_embedder
    from assistant.records import Document

    index = search_index.SearchIndex(settings, create_embedder(settings.embedder))
    index.add_documents([Document("no-sections", "제목", "본문", ())])  # a document that yields no passage
    assert len(index.passages) == 0
    index.save(tmp_path / "index")
    opened = search_index.SearchIndex.load(tmp_path / "index", settings, create_embedder(settings.embedder))
    assert len(opened.passages) == 0 and opened.vectors is None  # it opened a vector file never written before
    assert Retriever(opened, settings.retrieval).search("본문") == []
