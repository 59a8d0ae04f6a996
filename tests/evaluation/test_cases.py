"""Evaluation sets: loading with clear errors, and metrics computed from real assistant answers."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from assistant.conversations.base import create_store
from assistant.core import Assistant
from assistant.errors import IngestError
from assistant.evaluation.answer_metrics import CROSS_LINGUAL, DIRECTIONS, fold, is_cross_lingual, summarize_by_group
from assistant.evaluation.cases import load_cases, run_cases
from assistant.indexing.builder import open_retriever
from assistant.ingest.corpus import read_corpus
from assistant.languages import detect_language
from assistant.records import Language
from assistant.settings import Settings
from tests.conftest import CORPUS, ROOT
from tests.fakes import ScriptedModel

DEMO = ROOT / "eval" / "demo.jsonl"


def test_the_demo_set_loads_with_every_kind_of_case() -> None:
    cases = load_cases(DEMO)
    assert len(cases) >= 60
    assert {c.language for c in cases} == {Language.KOREAN, Language.TRADITIONAL, Language.SIMPLIFIED}
    assert any(c.conversation for c in cases) and any(not c.answerable for c in cases)
    assert all(any(direction in c.tags for c in cases) for direction in DIRECTIONS)


def test_gold_documents_carry_the_answers_and_cross_lingual_cases_cross() -> None:
    documents = {d.id: d for d in read_corpus(CORPUS).documents}
    korean = {i for i, d in documents.items() if (d.language or detect_language(d.title + d.text)) is Language.KOREAN}
    answerable_per_direction: Counter[str] = Counter()
    for case in load_cases(DEMO):
        for gold in case.gold_documents:
            assert any(answer in documents[gold].text for answer in case.answers), (case.id, gold)
        for answer in case.answers:
            assert any(answer in documents[gold].text for gold in case.gold_documents), (case.id, answer)
        if not is_cross_lingual(case.tags):
            continue
        (direction,) = [d for d in DIRECTIONS if d in case.tags]
        asked_in_korean = case.language is Language.KOREAN
        assert CROSS_LINGUAL in case.tags and (direction == "ko-question-zh-answer") == asked_in_korean, case.id
        assert all((gold in korean) != asked_in_korean for gold in case.gold_documents), case.id
        same_side = [i for i, d in documents.items() if (i in korean) == asked_in_korean]
        assert not [i for i in same_side if any(a in documents[i].text for a in case.answers)], case.id
        answerable_per_direction[direction] += case.answerable
    assert all(answerable_per_direction[d] >= 12 for d in DIRECTIONS), answerable_per_direction


def test_a_bad_line_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "a", "question": "q", "language": "ko"}\n{"id": "b"\n', encoding="utf-8")
    with pytest.raises(IngestError, match=r"set.jsonl:2"):
        load_cases(path)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "a", "question": "q"}\n{"id": "a", "question": "r"}\n', encoding="utf-8")
    with pytest.raises(IngestError, match="used twice"):
        load_cases(path)


def test_fold_ignores_script_spacing_and_markers() -> None:
    assert fold("首爾 元宇宙 [1]") == fold("首尔元宇宙")


def test_metrics_on_a_few_real_answers(demo_index_dir: Path, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=CORPUS, index_dir=demo_index_dir)
    settings.conversations.backend = "memory"
    cases = load_cases(DEMO)
    chosen = [c for c in cases if c.conversation][:2] + [c for c in cases if not c.answerable][:2]
    chosen += [c for c in cases if c.answerable and not c.conversation and not is_cross_lingual(c.tags)][:4]
    assistant = Assistant.from_settings(settings)
    results = asyncio.run(run_cases(assistant, chosen))
    groups = summarize_by_group(results)
    overall = groups["overall"]
    assert overall["cases"] == len(chosen)
    for key in ("recall@5", "answer_contains", "citation_precision", "abstention_accuracy", "fallback_rate"):
        assert 0.0 <= overall[key] <= 1.0
    assert overall["recall@5"] > 0.5 and overall["citation_precision"] > 0.5
    assert overall["fallback_rate"] == 0.0
    assert overall["total_p50_ms"] > 0


def test_the_warm_up_calls_no_model_and_leaves_no_conversation(demo_index_dir: Path) -> None:
    settings = Settings(corpus_dir=CORPUS, index_dir=demo_index_dir)
    settings.conversations.backend = "memory"
    model = ScriptedModel(["모델 답변 [1]"])
    assistant = Assistant(settings, open_retriever(settings), model, create_store(settings.conversations))
    asyncio.run(assistant.warm_up())
    assert model.requests == [] and assistant.store.list() == []
    answer = asyncio.run(run_cases(assistant, load_cases(DEMO)[:1]))[0].answer
    assert answer.model == "scripted" and len(model.requests) == 1
