"""Exact match and character F1 after the Korean/Chinese normalisation."""

from __future__ import annotations

import pytest

from assistant.evaluation.answer_match import char_f1, contains_answer, exact_match, fold, normalize_answer


def test_normalisation_folds_width_case_script_spacing_punctuation_and_markers() -> None:
    assert normalize_answer("ＡＢＣ 首爾，元宇宙！[1]") == "abc首尔元宇宙"
    assert normalize_answer("「30兆 韓元」【2】") == normalize_answer("30兆韩元")
    assert normalize_answer("044-202-6352") == "0442026352"
    assert fold("首爾 元宇宙 [1]") == "首尔元宇宙"  # fold keeps punctuation, for answer-contains


def test_exact_match_needs_the_same_characters_not_just_an_overlap() -> None:
    assert exact_match("30兆韓元。[1]", ["30万亿韩元", "30兆韩元"]) == 1.0
    assert exact_match("약 30조 원입니다.", ["30조 원"]) == 0.0
    assert exact_match("", [""]) == 0.0  # an empty gold answer never matches


def test_char_f1_is_the_best_character_multiset_f1_over_the_gold_answers() -> None:
    # "서울시계획" against "서울계획": 4 characters in common, precision 4/5, recall 1.
    assert char_f1("서울시 계획", ["서울 계획"]) == pytest.approx(2 * 0.8 / 1.8)
    assert char_f1("서울시 계획", ["부산", "서울 계획"]) == pytest.approx(2 * 0.8 / 1.8)
    # Repeated characters count as often as they occur: "1111" against "11" shares two.
    assert char_f1("1111", ["11"]) == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    assert char_f1("首爾", ["首尔"]) == 1.0
    assert char_f1("오늘은 맑다", ["30조 원"]) == 0.0
    assert char_f1("무엇이든", []) == 0.0


def test_contains_answer_across_scripts_and_spacing() -> None:
    assert contains_answer("發展戰略預計創造 30兆 韓元 [1]", ["30兆韩元"])
    assert not contains_answer("아무것도 없다", ["30조 원"])
    assert not contains_answer("무엇이든", [""])
