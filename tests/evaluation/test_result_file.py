"""The result file: written, read back whole, and refused with a hint when it is something else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.evaluation.result_file import RunInfo, case_row, evaluation_result, read_result, write_result
from tests.evaluation.sample_results import sample_results

KEYS = ("recall@1", "recall@5", "mrr@10", "ndcg@10", "exact_match", "char_f1", "answer_contains",
        "citation_precision", "citation_recall", "unsupported_citation_rate", "abstention_accuracy", "fallback_rate",
        "total_p50_ms", "total_p95_ms")  # fmt: skip


def test_written_and_read_back_whole(tmp_path: Path) -> None:
    run = RunInfo("set.jsonl", "extractive", 5, 2, 1.25, "abc")
    judged = {"overall": {"faithfulness": 0.5}}
    result = evaluation_result(sample_results(), run, judged)
    path = tmp_path / "result.json"
    write_result(result, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    groups = ["overall", "ko", "zh-Hant", "cross-lingual", "ko-question-zh-answer"]
    assert list(data) == [*groups, "judged", "run", "cases"]
    for group in ("overall", "ko", "zh-Hant"):
        assert all(key in data[group] for key in KEYS)
    assert data["judged"] == judged and data["run"]["reused"] == 2
    assert data["cases"][0]["id"] == "ko-when" and "total_ms" not in data["cases"][0]
    back = read_result(path)
    assert (back.run, back.judged, back.cases) == (result.run, result.judged, result.cases)
    assert list(back.groups) == list(result.groups)
    for name, metrics in result.groups.items():
        assert back.groups[name] == pytest.approx(metrics, abs=1e-6)  # written to 6 decimals


def test_problems_count_what_went_wrong() -> None:
    right, wrong, unanswerable, chinese, cross = (case_row(r) for r in sample_results())
    assert right.problems == 0 and chinese.problems == 0
    assert wrong.problems == 3  # no answer, no gold cited, one unsupported citation
    assert unanswerable.problems == 1  # answered a question the corpus cannot answer
    assert cross.problems == 4  # no answer, nothing retrieved, nothing cited, abstained


@pytest.mark.parametrize("content", ["[1, 2]", "{not json", '{"ko": {}}', '{"overall": {"recall@1": "high"}}'])
def test_what_is_not_a_result_is_refused_with_a_hint(tmp_path: Path, content: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(IngestError, match=r"not an evaluation result.*assistant eval run"):
        read_result(path)
