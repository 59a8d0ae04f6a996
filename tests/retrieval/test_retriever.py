"""Hybrid retrieval on the demo corpus: cross-script matching, cuts, per-document caps, fusion modes."""

from __future__ import annotations

import pytest

from assistant.errors import InvalidQueryError, InvalidTextError
from assistant.indexing.search_index import SearchIndex
from assistant.records import Language
from assistant.retrieval.retriever import Retriever, SearchOptions
from assistant.settings import RetrievalSettings


@pytest.fixture
def retriever(demo_index: SearchIndex) -> Retriever:
    return Retriever(demo_index, RetrievalSettings())


def test_korean_question_finds_the_korean_passage(retriever: Retriever) -> None:
    hits = retriever.search("과기정통부 디지털콘텐츠과 문의 전화번호")
    assert hits and "044-202-6352" in hits[0].passage.text
    assert hits[0].passage.language == Language.KOREAN
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_simplified_query_finds_traditional_only_fact(retriever: Retriever) -> None:
    # The 91억 won training saving is only in the Traditional medical document.
    hits = retriever.search("护理学生训练每年节省多少训练成本")
    assert hits[0].passage.document_id == "zh-hant-xr-medical"
    assert hits[0].passage.language == Language.TRADITIONAL


def test_traditional_query_finds_simplified_only_fact(retriever: Retriever) -> None:
    # The online exhibition budget is only in the Simplified document.
    hits = retriever.search("線上展館投入多少韓元")
    assert hits[0].passage.document_id == "zh-hans-xr-virtual-exhibition"


def test_unrelated_question_finds_nothing_relevant(retriever: Retriever) -> None:
    assert retriever.search("오늘 부산 날씨와 미세먼지 농도") == []
    assert retriever.search("明天台北天氣如何") == []
    assert retriever.search("量子计算机的原理是什么") == []
    assert retriever.search("How do I bake bread?") == []


def test_top_k_and_per_document_cap(retriever: Retriever) -> None:
    hits = retriever.search("元宇宙首爾 七大領域", SearchOptions(top_k=8, min_score=0.0))
    assert len(hits) == 8
    capped = retriever.search("元宇宙首爾 七大領域", SearchOptions(top_k=8, per_document=1, min_score=0.0))
    documents = [h.passage.document_id for h in capped]
    assert len(documents) == len(set(documents)) == 8


def test_rrf_fusion_ranks_too(demo_index: SearchIndex) -> None:
    rrf = Retriever(demo_index, RetrievalSettings(fusion="rrf"))
    hits = rrf.search("육군 사관학교 VR 사격 훈련 62억")
    assert hits[0].passage.document_id in {"ko-xr-defense", "zh-hant-xr-defense"}
    assert all(0 < h.score < 0.05 for h in hits)


def test_keyword_only_index_works(demo_index: SearchIndex) -> None:
    hits = Retriever(demo_index, RetrievalSettings(dense_weight=0.0)).search("Metaverse Seoul 20項子計畫")
    assert hits and hits[0].dense_score >= -1


@pytest.mark.parametrize("query", ["", "   ", "가" * 2001])
def test_bad_queries_are_refused_clearly(retriever: Retriever, query: str) -> None:
    with pytest.raises(InvalidQueryError):
        retriever.search(query)


def test_a_query_that_is_not_text_is_refused_before_it_reaches_the_embedder(retriever: Retriever) -> None:
    with pytest.raises(InvalidTextError, match=r"^'query' holds a lone surrogate U\+D800 at position 3"):
        retriever.search("타버스\ud800")
    with pytest.raises(InvalidTextError, match=r"^'query' holds the control character U\+0007"):
        retriever.search("서울\x07")


def test_neighbours_are_the_passages_around_the_best_hit_with_its_score(retriever: Retriever) -> None:
    hits = retriever.search("가상융합산업 진흥 기본계획의 추진 기간", SearchOptions(top_k=1, min_score=0.0))
    best = hits[0].passage
    document, _, k = best.id.rpartition("#")
    near = retriever.neighbours(hits, 1)
    assert near, "the best passage of a long article has a passage before or after it"
    assert {hit.passage.id for hit in near} <= {f"{document}#{int(k) - 1}", f"{document}#{int(k) + 1}"}
    for hit in near:
        assert hit.passage.document_id == best.document_id and hit.passage.section == best.section
        assert hit.score == hits[0].score
    assert [hit.passage.start for hit in near] == sorted(hit.passage.start for hit in near)
    # passages already among the hits are not repeated, and reach 0 reads none
    assert not {hit.passage.id for hit in retriever.neighbours([*hits, *near], 1)} & {hit.passage.id for hit in near}
    assert retriever.neighbours(hits, 0) == []
