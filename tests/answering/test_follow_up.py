"""Follow-up questions become standalone queries without a model."""

from __future__ import annotations

import pytest

from assistant.answering.follow_up import carry_terms, clean_rewrite, looks_like_follow_up
from assistant.records import Language, Turn


@pytest.mark.parametrize(
    "question",
    [
        "그럼 예산은?",
        "那首爾呢？",
        "那么首尔呢",
        "What about Seoul?",
        "예산은?",
        "這筆錢是在哪幾年間投入的？",
        "该项计划由谁负责？",
    ],
)
def test_follow_ups_are_recognised(question: str) -> None:
    assert looks_like_follow_up(question)


@pytest.mark.parametrize("question", ["가상융합산업 진흥법은 언제 시행되나요?", "首爾市推出了哪些元宇宙服務？"])
def test_standalone_questions_are_left_alone(question: str) -> None:
    assert not looks_like_follow_up(question)


def test_a_korean_follow_up_carries_the_previous_topic() -> None:
    history = [Turn("가상융합산업 기본계획의 목표는 무엇인가요?", "가상융합산업 기본계획의 목표는 무엇인가요?", "…")]
    query = carry_terms("그럼 예산은?", history, Language.KOREAN)
    assert query.endswith("그럼 예산은?")
    assert "기본" in query and "계획" in query and "무엇" not in query


def test_a_traditional_follow_up_carries_terms_in_traditional_script() -> None:
    history = [Turn("元宇宙首爾計畫分成幾個領域？", "元宇宙首爾計畫分成幾個領域？", "…", language=Language.TRADITIONAL)]
    query = carry_terms("那預算呢？", history, Language.TRADITIONAL)
    assert "首爾" in query and "領域" in query and "领域" not in query and query.endswith("那預算呢？")


def test_without_history_the_question_is_the_query() -> None:
    assert carry_terms("그럼 예산은?", [], Language.KOREAN) == "그럼 예산은?"


def test_a_model_rewrite_is_cleaned_or_refused() -> None:
    assert clean_rewrite('\n"서울시 메타버스 예산은?"\n설명…', "그럼 예산은?") == "서울시 메타버스 예산은?"
    assert clean_rewrite("   ", "그럼 예산은?") is None
    assert clean_rewrite("가" * 500, "예산?") is None
