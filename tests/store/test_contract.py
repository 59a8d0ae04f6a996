"""The ``SearchStore`` contract, run on every backend in ``conftest.BACKENDS`` (local files, a real Milvus)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from assistant.errors import IndexMismatchError
from assistant.indexing.analysis import Analysis
from assistant.records import Document, Language, Section
from assistant.retrieval.fusion import weighted
from assistant.retrieval.retriever import Retriever, SearchOptions
from assistant.settings import ChunkingSettings, RetrievalSettings, Settings
from assistant.store.base import Filters, SearchStore, open_store
from tests.store.conftest import OpenStore

CONTACT = "가상융합산업 진흥 기본계획 문의 전화번호"
CONTACTS = {"faq-ko-contact", "ko-contact-department"}  # the documents that answer it
SEOUL = "Metaverse Seoul 20項子計畫"


def one(analysis: Analysis, document_id: str) -> Analysis:
    """The part of an analysis that is one document."""
    position = [d.id for d in analysis.documents].index(document_id)
    first = sum(analysis.passage_counts[:position])
    count = analysis.passage_counts[position]
    rows = slice(first, first + count)
    return dataclasses.replace(
        analysis,
        documents=(analysis.documents[position],),
        passage_counts=(count,),
        passages=analysis.passages[rows],
        terms={name: list(terms[rows]) for name, terms in analysis.terms.items()},
        vectors=analysis.vectors[rows] if analysis.vectors is not None else None,
    )


def hits_for(store: SearchStore) -> list:  # type: ignore[type-arg]
    """The keyword hits for the contact question."""
    return store.keyword_search(CONTACT, 10)


def test_a_written_corpus_is_counted_listed_and_described(written: SearchStore, demo_analysis: Analysis) -> None:
    stats = written.stats()
    assert stats.passages == len(demo_analysis.passages)
    assert stats.documents == len(demo_analysis.documents)
    assert sum(stats.languages.values()) == stats.passages and {"ko", "zh-Hans", "zh-Hant"} <= set(stats.languages)
    listed = {entry.id: entry for entry in written.documents()}
    assert set(listed) == {d.id for d in demo_analysis.documents}
    document = demo_analysis.documents[0]
    assert listed[document.id].checksum == document.checksum
    assert listed[document.id].passages == demo_analysis.passage_counts[0]
    manifest = written.manifest()
    assert manifest.passages == stats.passages and manifest.documents == stats.documents
    assert manifest.embedder == (written.embedder.id if written.embedder else None)
    assert set(manifest.tokenizers) == set(written.settings.retrieval.field_weights)


def test_keyword_search_finds_the_document_and_passages_come_back_by_id(written: SearchStore) -> None:
    hits = written.keyword_search(CONTACT, 5)
    assert hits and hits[0].passage.document_id in CONTACTS
    assert all(0 < h.keyword_score < 1 and h.score == h.keyword_score for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    ids = [h.passage.id for h in hits]
    assert [p.id for p in written.passages([*reversed(ids), "no-such-passage"])] == list(reversed(ids))
    assert written.passages(ids[:1])[0] == hits[0].passage
    assert written.keyword_search("qqqzzzxxx", 5) == []


def test_filters_are_kept_by_every_search(written: SearchStore) -> None:
    korean = Filters(languages={Language.KOREAN})
    for hits in (written.dense_search(SEOUL, 8, korean), written.keyword_search(SEOUL, 8, korean)):
        assert all(h.passage.language is Language.KOREAN for h in hits)
    assert written.keyword_search(SEOUL, 8, korean)  # the Korean documents name Metaverse Seoul too
    only = Filters(document_ids={"faq-ko-contact"})
    fusion = RetrievalSettings()
    hits = written.hybrid_search(CONTACT, 10, fusion, only)
    assert hits and {h.passage.document_id for h in hits} == {"faq-ko-contact"}
    hits = written.hybrid_search(CONTACT, 10, RetrievalSettings(fusion="rrf"), only)
    assert hits and {h.passage.document_id for h in hits} == {"faq-ko-contact"}


def test_dense_search_ranks_by_cosine(written: SearchStore) -> None:
    if not written.dense_enabled:
        pytest.skip("no dense side")
    hits = written.dense_search(CONTACT, 5)
    assert len(hits) == 5 and all(h.score == h.dense_score and -1 <= h.score <= 1.0001 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize("fusion", ["weighted", "rrf"])
def test_hybrid_hits_carry_both_scores_and_the_fused_one(written: SearchStore, fusion: str) -> None:
    settings = RetrievalSettings(fusion=fusion)  # type: ignore[arg-type]
    hits = written.hybrid_search(SEOUL, 20, settings)
    assert hits and [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.passage.id for h in hits}) == len(hits)
    assert any(h.keyword_score > 0 for h in hits) and any(h.dense_score > 0 for h in hits)
    if fusion == "weighted":
        for hit in hits:
            expected = weighted(np.float32(hit.keyword_score), np.float32(hit.dense_score), 0.9, 0.1)
            assert hit.score == pytest.approx(float(expected), abs=1e-6)


def test_the_retriever_answers_through_the_store(written: SearchStore) -> None:
    retriever = Retriever(written, written.settings.retrieval)
    hits = retriever.search(CONTACT, SearchOptions(top_k=3))
    assert hits[0].passage.document_id in CONTACTS
    assert retriever.rarity(["문의"])["문의"] < retriever.rarity(["존재하지않는낱말"])["존재하지않는낱말"] == 1.0


def test_replace_is_idempotent_and_drops_the_old_version(filled: SearchStore, demo_analysis: Analysis) -> None:
    before = filled.stats()
    contact = one(demo_analysis, "faq-ko-contact")
    assert filled.replace(contact) == len(contact.passages)
    assert filled.replace(contact) == len(contact.passages)
    assert filled.stats() == before
    ranked = [h.passage.id for h in filled.keyword_search(CONTACT, 5)]
    assert len(ranked) == len(set(ranked)) and "faq-ko-contact" in {h.passage.document_id for h in hits_for(filled)}
    text = "이제 이 문서는 고양이 사료 보관법만 다룹니다."
    changed = Document("faq-ko-contact", "바뀐 문서", text, (Section("", 0, len(text)),))
    filled.replace(filled.analyse([changed]))
    assert filled.stats().documents == before.documents
    assert "faq-ko-contact" not in {h.passage.document_id for h in hits_for(filled)}
    assert filled.keyword_search("고양이 사료 보관법", 1)[0].passage.document_id == "faq-ko-contact"
    entry = next(e for e in filled.documents() if e.id == "faq-ko-contact")
    assert entry.checksum == changed.checksum and entry.title == "바뀐 문서"


def test_deleted_documents_are_never_found_again(filled: SearchStore) -> None:
    before = filled.stats()
    removed = filled.delete(["faq-ko-contact", "no-such-document"])
    assert removed >= 1 and filled.stats().passages == before.passages - removed
    assert "faq-ko-contact" not in {e.id for e in filled.documents()}
    for hits in (filled.keyword_search(CONTACT, 50), filled.dense_search(CONTACT, 50)):
        assert "faq-ko-contact" not in {h.passage.document_id for h in hits}
    assert filled.delete(["faq-ko-contact"]) == 0


def test_a_failed_write_leaves_the_previous_version_searchable(filled: SearchStore, demo_analysis: Analysis) -> None:
    if demo_analysis.vectors is None:
        pytest.skip("needs vectors to break")
    contact = one(demo_analysis, "faq-ko-contact")
    broken = dataclasses.replace(contact, vectors=np.zeros((len(contact.passages), 3), dtype=np.float32))
    before = filled.stats()
    with pytest.raises(Exception):  # noqa: B017  # each backend fails in its own words
        filled.replace(broken)
    assert filled.stats() == before
    assert "faq-ko-contact" in {h.passage.document_id for h in hits_for(filled)}


def test_a_store_built_with_other_settings_is_refused(written: SearchStore) -> None:
    other = written.settings.model_copy(update={"chunking": ChunkingSettings(size=written.settings.chunking.size + 7)})
    with pytest.raises(IndexMismatchError, match="build"):
        open_store(other, written.embedder, create=True)


def test_keyword_scores_agree_across_backends(written: SearchStore, demo_analysis: Analysis, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every backend scores the keyword side as the local BM25 does (the reference), to float precision."""
    from assistant.store.local import LocalStore

    reference = LocalStore.open(Settings(index_dir=tmp_path / "reference"), written.embedder, create=True)
    reference.replace(demo_analysis)
    for query in (CONTACT, SEOUL, "元宇宙 首尔 推进 期限", "가상융합경제 발전 전략"):
        mine = {h.passage.id: h.keyword_score for h in written.keyword_search(query, 10)}
        theirs = {h.passage.id: h.keyword_score for h in reference.keyword_search(query, 10)}
        assert list(mine)[:3] == list(theirs)[:3], query
        for passage_id in set(mine) & set(theirs):
            assert mine[passage_id] == pytest.approx(theirs[passage_id], abs=1e-4), query


def test_ids_and_terms_with_quotes_and_backslashes_are_written_found_and_deleted(open_new: OpenStore) -> None:
    store = open_new()
    text = '올\'리브 "따옴표" 문서는 역슬래시 \\ 기호도 담는다.'
    odd = 'it\'s "quoted" \\ too'
    store.replace(store.analyse([Document(odd, "올'리브 문서", text, (Section("", 0, len(text)),))]))
    hits = store.keyword_search("올'리브 따옴표", 5)
    assert hits and hits[0].passage.document_id == odd
    assert store.passages([hits[0].passage.id]) == [hits[0].passage]
    assert store.hybrid_search("따옴표", 5, RetrievalSettings(), Filters(document_ids={odd}))
    assert [entry.id for entry in store.documents()] == [odd]
    assert store.delete([odd]) == len(hits) and store.stats().documents == 0


def test_the_readings_field_reaches_across_the_languages_as_the_local_index_scores_it(
    open_new: OpenStore, store_settings: Settings, demo_documents: list[Document], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """With the readings bridge on, a Korean question finds Chinese passages by their Hanja readings, each
    backend scoring the lanes as the local keyword index does (the reference)."""
    from assistant.store.local import LocalStore

    weights = {**store_settings.retrieval.field_weights, "readings": 1.0}
    retrieval = store_settings.retrieval.model_copy(update={"field_weights": weights})
    settings = store_settings.model_copy(update={"retrieval": retrieval})
    store = open_new(settings)
    analysis = store.analyse(demo_documents)
    store.replace(analysis)
    reference = LocalStore.open(settings.model_copy(update={"index_dir": tmp_path / "reference"}), None, create=True)
    reference.replace(dataclasses.replace(analysis, vectors=None, embedder=None))
    for query in ("서울 관광 홍보", "가상융합산업 진흥 기본계획", "元宇宙首爾"):
        mine = {h.passage.id: h.keyword_score for h in store.keyword_search(query, 10)}
        theirs = {h.passage.id: h.keyword_score for h in reference.keyword_search(query, 10)}
        assert list(mine)[:3] == list(theirs)[:3], query
        for passage_id in set(mine) & set(theirs):
            assert mine[passage_id] == pytest.approx(theirs[passage_id], abs=1e-4), query
    korean = {h.passage.language for h in store.keyword_search("서울 관광 홍보", 10)}
    assert korean & {Language.SIMPLIFIED, Language.TRADITIONAL}  # the bridge reached Chinese passages
