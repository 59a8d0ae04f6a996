"""The run cache: records kept across runs and interruptions, keyed by everything that changes an answer."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from assistant.conversations.base import create_store
from assistant.core import Assistant
from assistant.evaluation.answer_metrics import summarize
from assistant.evaluation.cases import CaseResult, load_cases, run_cases
from assistant.evaluation.run_cache import RunCache, case_key, index_identity, settings_fingerprint
from assistant.indexing.builder import open_retriever
from assistant.models.base import ChatModel
from assistant.settings import Settings
from tests.conftest import CORPUS, ROOT
from tests.evaluation.sample_results import WHEN, sample_results
from tests.fakes import ScriptedModel


def test_records_are_kept_on_disk_and_read_back(tmp_path: Path) -> None:
    with RunCache(tmp_path, "f" * 64) as cache:
        cache.put("a", {"x": 1})
        cache.put("b", {"y": "서울"})
    with RunCache(tmp_path, "f" * 64) as again:
        assert again.get("a") == {"x": 1} and again.get("b") == {"y": "서울"}
    with RunCache(tmp_path, "f" * 64, fresh=True) as fresh:
        assert fresh.get("a") is None
    with RunCache(tmp_path, "f" * 64) as after_fresh:
        assert after_fresh.records == {}
    with RunCache(tmp_path, "e" * 64) as other:
        assert other.get("a") is None and other.path != after_fresh.path


def test_a_line_torn_by_an_interruption_is_skipped_and_appending_goes_on(tmp_path: Path) -> None:
    with RunCache(tmp_path, "f" * 64) as cache:
        cache.put("a", {"x": 1})
    with cache.path.open("a", encoding="utf-8") as file:
        file.write('{"key": "b", "value": {"y"')  # killed mid-write
    with RunCache(tmp_path, "f" * 64) as cache:
        assert set(cache.records) == {"a"}
        cache.put("c", {"z": 3})
    with RunCache(tmp_path, "f" * 64) as cache:
        assert set(cache.records) == {"a", "c"}


def test_results_are_kept_unless_they_fell_back(tmp_path: Path) -> None:
    fresh, other = sample_results()[0], sample_results()[1]
    fallback = dataclasses.replace(other, answer=dataclasses.replace(other.answer, fallback=True))
    with RunCache(tmp_path, "f" * 64) as cache:
        cache.keep(fresh)
        cache.keep(fallback)
        restored = cache.result_for(fresh.case)
        assert restored is not None and restored.cached and restored.answer == fresh.answer
        assert restored.seconds == fresh.seconds
        assert cache.result_for(fallback.case) is None and cache.reused == 1


def test_case_keys_follow_the_whole_case() -> None:
    assert case_key(WHEN) == case_key(dataclasses.replace(WHEN))
    assert case_key(dataclasses.replace(WHEN, conversation=(("앞 질문", "앞 답"),))) != case_key(WHEN)
    assert case_key(dataclasses.replace(WHEN, answers=("2021년",))) != case_key(WHEN)


def test_the_fingerprint_changes_with_what_changes_answers(demo_index_dir: Path, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=CORPUS, index_dir=demo_index_dir)
    index = index_identity(open_retriever(settings).store.manifest())
    base = settings_fingerprint(settings, index)
    assert settings_fingerprint(settings.model_copy(deep=True), index) == base
    assert index_identity(open_retriever(settings).store.manifest()) == index  # built_at does not count
    assert settings_fingerprint(settings, "another index") != base
    for section, field, value in [("model", "name", "openai"), ("model", "base_url", "http://127.0.0.1:9/v1"),
                                  ("retrieval", "top_k", 8), ("answer", "max_sentences", 3)]:  # fmt: skip
        changed = settings.model_copy(deep=True)
        setattr(getattr(changed, section), field, value)
        assert settings_fingerprint(changed, index) != base, (section, field)
    unrelated = settings.model_copy(deep=True)
    unrelated.api.port = 9999
    unrelated.model.max_retries = 7
    assert settings_fingerprint(unrelated, index) == base
    prompts = tmp_path / "prompts"
    (prompts / "ko").mkdir(parents=True)
    edited = settings.model_copy(deep=True)
    edited.answer.prompts_dir = prompts
    assert settings_fingerprint(edited, index) == base  # an empty override folder: the packaged templates
    (prompts / "ko" / "system.txt").write_text("one", encoding="utf-8")
    first = settings_fingerprint(edited, index)
    (prompts / "ko" / "system.txt").write_text("two", encoding="utf-8")
    second = settings_fingerprint(edited, index)
    assert first != base and second != first
    (prompts / "ko" / "unused.txt").write_text("not a template", encoding="utf-8")
    assert settings_fingerprint(edited, index) == second  # only the templates in use count


class Stop(Exception):
    pass


def _assistant(demo_index_dir: Path, model: ChatModel) -> Assistant:
    settings = Settings(corpus_dir=CORPUS, index_dir=demo_index_dir)
    settings.conversations.backend = "memory"
    return Assistant(settings, open_retriever(settings), model, create_store(settings.conversations))


def test_an_interrupted_run_resumes_without_asking_again(demo_index_dir: Path, tmp_path: Path) -> None:
    cases = [c for c in load_cases(ROOT / "eval" / "demo.jsonl") if not c.conversation][:5]
    model = ScriptedModel(lambda request: [request.passages[0].passage.text[:40], " [1]"])
    assistant = _assistant(demo_index_dir, model)
    done: list[CaseResult] = []

    def stop_after_three(result: CaseResult) -> None:
        done.append(result)
        if len(done) == 3:
            raise Stop

    with RunCache(tmp_path, "f" * 64) as cache, pytest.raises(Stop):
        asyncio.run(run_cases(assistant, cases, on_result=stop_after_three, cache=cache))
    asked = len(model.requests)
    assert asked == 3
    with RunCache(tmp_path, "f" * 64) as cache:
        results = asyncio.run(run_cases(assistant, cases, cache=cache))
        assert cache.reused == 3
    assert len(model.requests) == asked + 2  # only the two cases never answered
    assert [r.cached for r in results] == [True, True, True, False, False]
    assert [r.answer for r in results[:3]] == [r.answer for r in done]
    with RunCache(tmp_path, "f" * 64) as cache:
        again = asyncio.run(run_cases(assistant, cases, cache=cache))
    assert len(model.requests) == asked + 2 and summarize(again) == summarize(results)
