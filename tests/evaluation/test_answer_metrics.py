"""Metrics of hand-made results, worked out on paper."""

from __future__ import annotations

import math

import pytest

from assistant.evaluation.answer_metrics import (
    CROSS_LINGUAL,
    groups_of,
    is_cross_lingual,
    score_case,
    summarize,
    summarize_by_group,
)
from assistant.evaluation.cases import Case
from assistant.records import Language
from tests.evaluation.sample_results import SEOUL, TAIPEI, passage, result, sample_results


def test_each_case_is_scored_against_its_gold() -> None:
    right, wrong, unanswerable, chinese, _ = (score_case(r) for r in sample_results())
    assert (right.gold_rank, right.contains, right.cites_gold, right.abstained) == (1, True, True, False)
    assert right.char_f1 == pytest.approx(16 / 29)  # 8 gold characters among the answer's 21
    assert (wrong.gold_rank, wrong.contains) == (2, False)
    assert (wrong.supporting_citations, wrong.unsupported_citations) == (0, 1)
    assert unanswerable.gold_rank is None and not unanswerable.abstained
    assert chinese.exact_match == 1.0 and chinese.char_f1 == 1.0


def test_summary_of_a_group() -> None:
    results = sample_results()
    metrics = summarize(results[:4])
    expected = {
        "cases": 4,
        "answerable": 3,
        "recall@1": 2 / 3,
        "recall@5": 1.0,
        "mrr@10": (1 + 0.5 + 1) / 3,
        "ndcg@10": (2 + 1 / math.log2(3)) / 3,
        "exact_match": 1 / 3,
        "char_f1": (16 / 29 + 0 + 1) / 3,
        "answer_contains": 2 / 3,
        "citation_precision": 2 / 3,
        "citation_recall": 2 / 3,
        "unsupported_citation_rate": 1 / 4,
        "abstention_accuracy": 3 / 4,
        "unanswerable_abstained": 0.0,
        "grounded_rate": 2 / 3,
        "fallback_rate": 0.0,
        "total_p50_ms": 5.0,
        "total_p95_ms": 7.7,
    }
    for key, value in expected.items():
        assert metrics[key] == pytest.approx(value), key


def test_groups_keep_the_cross_lingual_cases_apart() -> None:
    results = sample_results()
    groups = groups_of(results)
    assert list(groups) == ["overall", "ko", "zh-Hant", CROSS_LINGUAL, "ko-question-zh-answer"]
    assert [r.case.id for r in groups[CROSS_LINGUAL]] == ["ko-cross"]  # a direction tag alone is enough
    assert not any(is_cross_lingual(r.case.tags) for r in groups["overall"])
    summary = summarize_by_group(results)
    assert summary["overall"]["cases"] == 4 and summary["ko"]["cases"] == 3
    assert summary[CROSS_LINGUAL]["recall@5"] == 0.0 and summary[CROSS_LINGUAL]["abstention_accuracy"] == 0.0


def test_both_directions_are_reported_together_and_each_on_its_own() -> None:
    asked = Case("hans-to-ko", "发布时间？", Language.SIMPLIFIED, True, ("2021년 11월",), ("seoul-plan",),
                 tags=("cross-lingual", "zh-question-ko-answer"))  # fmt: skip
    wrong = passage("taipei-2", "首爾市於2021年發布元宇宙首爾基本計畫。", Language.TRADITIONAL)
    results = [*sample_results(), result(asked, "2021년 11월 [1] [2]", (wrong, SEOUL), (wrong, SEOUL, TAIPEI))]
    groups = groups_of(results)
    assert list(groups)[-3:] == [CROSS_LINGUAL, "ko-question-zh-answer", "zh-question-ko-answer"]
    assert [r.case.id for r in groups[CROSS_LINGUAL]] == ["ko-cross", "hans-to-ko"]
    assert "zh-Hans" not in groups  # its only Simplified case is cross-lingual
    summary = summarize_by_group(results)
    assert summary["zh-question-ko-answer"]["citation_recall"] == 1.0  # the right document is among the citations
    assert summary["zh-question-ko-answer"]["recall@1"] == 0.0 and summary["zh-question-ko-answer"]["mrr@10"] == 0.5
    assert summary[CROSS_LINGUAL]["citation_recall"] == 0.5 and summary[CROSS_LINGUAL]["cases"] == 2


def test_an_empty_group_has_zero_rates() -> None:
    metrics = summarize([])
    assert metrics["cases"] == 0 and metrics["char_f1"] == 0.0 and metrics["total_p95_ms"] == 0.0
