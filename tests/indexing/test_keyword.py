"""The keyword side's bridge lane: Korean questions find Chinese passages through their Hanja readings, and back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.embedding.base import create_embedder
from assistant.indexing.keyword import BRIDGE_TERMS
from assistant.indexing.search_index import SearchIndex
from assistant.records import Document, Section
from assistant.retrieval.retriever import Retriever, SearchOptions
from assistant.settings import Settings

FIELDS = {"morphemes": 1.0, "bigrams": 1.0, "characters": 1.0}
TEXTS = {
    "zh-logistics": "大型物流倉庫導入AR物流管理系統之後，揀貨作業效率提升了百分之十五。",
    "zh-weather": "首爾明天天氣晴朗，白天最高氣溫二十度，適合出門散步。",
    "ko-training": "국군간호사관학교는 가상현실 응급 훈련으로 훈련 시간을 절반으로 줄였다.",
    "ko-food": "서울의 오래된 맛집 골목을 걸으며 떡볶이와 순대를 맛보는 코스를 소개합니다.",
}


def build(weights: dict[str, float], tmp_path: Path) -> SearchIndex:
    """A real in-memory index (hashing embedder, FAISS) of the four small documents."""
    settings = Settings(index_dir=tmp_path / "index", retrieval={"field_weights": weights})
    index = SearchIndex(settings, create_embedder(settings.embedder))
    documents = [Document(doc, doc, text, (Section("", 0, len(text)),)) for doc, text in TEXTS.items()]
    index.add_documents(documents)
    assert index.vectors is not None and "faiss" in type(index.vectors).__module__
    return index


@pytest.fixture(scope="module")
def bridged(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return build({**FIELDS, "readings": 1.0}, tmp_path_factory.mktemp("bridged"))


def top(index: SearchIndex, query: str) -> str:
    hits = Retriever(index, index.settings.retrieval).search(query, SearchOptions(top_k=3, min_score=0.0))
    return hits[0].passage.document_id


def test_a_korean_question_finds_the_chinese_passage_through_its_readings(bridged: SearchIndex) -> None:
    assert top(bridged, "물류관리 시스템을 쓰면 작업 효율이 얼마나 오르나요?") == "zh-logistics"


def test_a_chinese_question_finds_the_korean_passage(bridged: SearchIndex) -> None:
    assert top(bridged, "國軍護理學院的應急訓練把訓練時間縮短了多少？") == "ko-training"
    assert top(bridged, "国军应急训练时间缩短了多少？") == "ko-training"


def test_without_the_field_nothing_crosses(tmp_path: Path) -> None:
    index = build(FIELDS, tmp_path)
    scores = index.keyword_scores("물류관리 시스템을 쓰면 작업 효율이 얼마나 오르나요?")
    assert scores[[p.document_id == "zh-logistics" for p in index.passages]].max() == 0


def test_same_language_passages_score_as_without_the_bridge(bridged: SearchIndex) -> None:
    korean = np.array([p.document_id.startswith("ko-") for p in bridged.passages])
    query = "서울 맛집 코스에서 순대를 먹을 수 있나요?"
    with_bridge = bridged.keyword.scores(query, {**FIELDS, "readings": 1.0}, 1.0)
    without = bridged.keyword.scores(query, FIELDS, 1.0)
    assert np.allclose(with_bridge[korean], without[korean]) and with_bridge[korean].max() > 0


def test_the_bridge_weight_discounts_matches_across_languages(bridged: SearchIndex) -> None:
    chinese = np.array([p.document_id == "zh-logistics" for p in bridged.passages])
    query = "물류관리 시스템의 작업 효율"
    full = bridged.keyword.scores(query, {**FIELDS, "readings": 1.0}, 1.0)[chinese].max()
    half = bridged.keyword.scores(query, {**FIELDS, "readings": 0.5}, 1.0)[chinese].max()
    assert 0 < half < full < 1 and half == pytest.approx(full / 2, rel=1e-5)


def test_one_shared_word_is_not_enough_to_bridge(bridged: SearchIndex) -> None:
    chinese = np.array([p.document_id == "zh-logistics" for p in bridged.passages])
    weights = {**FIELDS, "readings": 1.0}
    one_word = bridged.keyword.scores("물류", weights, 1.0)[chinese].max()
    assert 0 < one_word <= 1 / BRIDGE_TERMS


@pytest.mark.parametrize("share", [1, 1_000_000])  # only the touched passages scored / every one
def test_top_gives_the_best_scores_exactly(
    demo_index: SearchIndex, share: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.indexing import keyword

    monkeypatch.setattr(keyword, "TOUCHED_SHARE", share)
    touched = keyword.KeywordIndex._touched
    compact: list[bool] = []

    def spy(*args):  # type: ignore[no-untyped-def]
        rows = touched(*args)
        compact.append(rows is not None)
        return rows

    monkeypatch.setattr(keyword.KeywordIndex, "_touched", spy)
    extra = np.array([0, 3, len(demo_index.passages) - 1])
    for query in ("메타버스 서울 7대 분야", "國防 虛擬訓練", "首尔 虚拟灯笼节", "물류관리", "zzzz"):
        everything = demo_index.keyword_scores(query)
        rows, scores, extra_scores = demo_index.keyword_top(query, 5, extra)
        best = np.lexsort((np.arange(len(everything)), -everything))[: len(rows)]
        assert rows.tolist() == best.tolist() and len(rows) == min(5, int((everything > 0).sum()))
        np.testing.assert_array_equal(scores, everything[rows])
        np.testing.assert_array_equal(extra_scores, everything[extra])
    assert any(compact) if share == 1 else not any(compact)


def test_top_of_a_bridged_index_matches_its_scores(bridged: SearchIndex) -> None:
    questions = ("물류관리 시스템을 쓰면 작업 효율이 얼마나 오르나요?", "國軍護理學院的應急訓練把訓練時間縮短了多少？")
    for query in questions:
        everything = bridged.keyword_scores(query)
        rows, scores, _ = bridged.keyword_top(query, 3)
        np.testing.assert_array_equal(scores, np.sort(everything)[::-1][: len(rows)])
