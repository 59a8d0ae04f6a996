"""SQuAD-style evaluation: retrieval figures and the default (extractive) answers' figures, per file and overall."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.evaluation.squad import evaluate_squad, half_of, load_squad
from assistant.settings import Settings


def squad_file(folder: Path, name: str, title: str, paragraphs: list[tuple[str, list[tuple[str, str]]]]) -> Path:
    """A SQuAD-style file: each paragraph with its (question, answer) pairs; answer_start is computed."""
    data: dict[str, Any] = {"version": "test", "data": [{"title": title, "paragraphs": []}]}
    for p, (context, qas) in enumerate(paragraphs):
        data["data"][0]["paragraphs"].append(
            {
                "context": context,
                "qas": [
                    {"id": f"{name}-{p}-{i}", "question": q, "answers": [{"text": a, "answer_start": context.index(a)}]}
                    for i, (q, a) in enumerate(qas)
                ],
            }
        )
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    # Written for these tests (not taken from any dataset).
    korean = squad_file(tmp_path, "ko", "도시", [
        ("한빛시립도서관은 2009년에 강변 공원 옆에 문을 열었다. 도서관이 소장한 책은 약 32만 권이다. "
         "주말에는 어린이를 위한 그림책 낭독회가 열린다.",
         [("한빛시립도서관이 소장한 책은 몇 권인가?", "32만 권"), ("한빛시립도서관은 몇 년에 문을 열었나?", "2009년")]),
        ("푸른숲 수목원에는 약 3천 종의 식물이 자란다. 수목원은 매주 월요일에 쉰다.",
         [("푸른숲 수목원이 쉬는 요일은?", "월요일")]),
    ])  # fmt: skip
    traditional = squad_file(tmp_path, "hant", "青溪大橋", [
        ("青溪大橋橫跨青溪河口，是當地最長的公路橋。大橋於一九九八年動工，二〇〇三年正式通車。夜間橋身會點亮藍色燈光。",
         [("青溪大橋在哪一年正式通車？", "二〇〇三年"), ("青溪大橋夜間點亮什麼顏色的燈光？", "藍色")]),
    ])  # fmt: skip
    simplified = squad_file(tmp_path, "hans", "云岭茶园", [
        ("云岭茶园位于山区东坡，海拔约一千二百米。茶园主要出产绿茶。园内的老茶树已有三百多年历史。",
         [("云岭茶园海拔大约多少米？", "一千二百米"), ("云岭茶园主要出产什么茶？", "绿茶")]),
    ])  # fmt: skip
    return [korean, traditional, simplified]


def test_answer_figures_per_file_and_overall(files: list[Path]) -> None:
    result = evaluate_squad(load_squad(files), Settings())
    for figures in (result, *result["per_file"].values()):
        assert {"recall@1", "answer_hit", "answer_chars", "answer_p50_ms", "query_p50_ms"} <= set(figures)
        assert 0.0 <= figures["answer_hit"] <= 1.0
        assert 0 < figures["answer_chars"] <= Settings().answer.max_chars + 2  # + the space between two sentences
    assert set(result["per_file"]) == {"ko", "hant", "hans"}
    assert result["questions"] == 7 and result["recall@1"] == 1.0
    assert result["answer_hit"] == 1.0  # every gold answer text is in its composed answer
    assert result["answered"] == 1.0  # every paragraph is indexed, and none of these is declined


def test_the_answer_phrase_is_scored_against_the_gold_answers(files: list[Path]) -> None:
    result = evaluate_squad(load_squad(files), Settings())
    for figures in (result, *result["per_file"].values()):
        assert 0.0 <= figures["exact_match"] <= figures["char_f1"] <= 1.0
    # the phrase, not the whole sentence, is compared: whole sentences score far below this
    assert result["char_f1"] >= 0.5 and result["exact_match"] > 0
    without = Settings.model_validate({"answer": {"reader": "none"}})
    assert evaluate_squad(load_squad(files), without)["char_f1"] < result["char_f1"]


def test_a_tighter_answer_budget_shows_in_the_figures(files: list[Path]) -> None:
    settings = Settings.model_validate({"answer": {"max_sentences": 1, "max_chars": 40}})
    result = evaluate_squad(load_squad(files), settings, limit=3)
    assert result["questions"] == 3
    assert result["answer_chars"] <= 40


def test_each_file_is_split_in_halves_by_question_order(files: list[Path]) -> None:
    questions = load_squad(files).questions
    first, second = half_of(questions, "first"), half_of(questions, "second")
    assert [q.id for q in first] == ["ko-0-0", "ko-0-1", "hant-0-0", "hans-0-0"]
    assert [q.id for q in second] == ["ko-1-0", "hant-0-1", "hans-0-1"]
    assert evaluate_squad(load_squad(files), Settings(), half="second")["questions"] == 3
    with pytest.raises(ValueError):
        half_of(questions, "third")
