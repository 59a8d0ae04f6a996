"""Evaluation sets: loading with clear errors, and metrics computed from real assistant answers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from assistant.conversations.base import create_store
from assistant.core import Assistant
from assistant.errors import IngestError
from assistant.evaluation.answer_metrics import NEEDS_NEURAL, fold, summarize_by_group
from assistant.evaluation.cases import load_cases, run_cases
from assistant.indexing.builder import open_retriever
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
    assert any(NEEDS_NEURAL in c.tags for c in cases)


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
    settings.answer.prompts_dir = ROOT / "prompts"
    cases = load_cases(DEMO)
    chosen = [c for c in cases if c.conversation][:2] + [c for c in cases if not c.answerable][:2]
    chosen += [c for c in cases if c.answerable and not c.conversation and NEEDS_NEURAL not in c.tags][:4]
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
    settings.answer.prompts_dir = ROOT / "prompts"
    model = ScriptedModel(["모델 답변 [1]"])
    assistant = Assistant(settings, open_retriever(settings), model, create_store(settings.conversations))
    asyncio.run(assistant.warm_up())
    assert model.requests == [] and assistant.store.list() == []
    answer = asyncio.run(run_cases(assistant, load_cases(DEMO)[:1]))[0].answer
    assert answer.model == "scripted" and len(model.requests) == 1
