"""The baseline gate: which changes fail it and what it prints."""

from __future__ import annotations

import dataclasses

from assistant.evaluation.baseline_compare import Verdict, compare
from assistant.evaluation.markdown_summary import comparison_markdown
from assistant.evaluation.result_file import EvaluationResult, RunInfo, evaluation_result
from tests.evaluation.sample_results import sample_results


def baseline() -> EvaluationResult:
    return evaluation_result(sample_results(), RunInfo(cases=5), {"overall": {"faithfulness": 0.9}})


def changed(result: EvaluationResult, group: str, **metrics: float) -> EvaluationResult:
    groups = {name: dict(values) for name, values in result.groups.items()}
    groups[group].update(metrics)
    return dataclasses.replace(result, groups=groups)


def verdicts(current: EvaluationResult, before: EvaluationResult, **options: float) -> dict[tuple[str, str], Verdict]:
    comparison = compare(current, before, **options)  # type: ignore[arg-type]
    return {(d.group, d.metric): d.verdict for d in comparison.differences if d.verdict is not Verdict.SAME}


def test_the_same_result_passes() -> None:
    comparison = compare(baseline(), baseline())
    assert comparison.passed and not comparison.worse_cases
    assert "PASSED" in comparison_markdown(comparison)


def test_drops_beyond_the_tolerance_fail_in_either_direction_of_better() -> None:
    before = baseline()
    recall = before.groups["ko"]["recall@1"]
    current = changed(before, "ko", **{"recall@1": recall - 0.05, "mrr@10": before.groups["ko"]["mrr@10"] - 0.01})
    overall = before.groups["overall"]
    current = changed(
        current,
        "overall",
        unsupported_citation_rate=overall["unsupported_citation_rate"] + 0.1,
        char_f1=overall["char_f1"] + 0.2,
    )
    found = verdicts(current, before, tolerance=0.02)
    assert found[("ko", "recall@1")] is Verdict.REGRESSED
    assert ("ko", "mrr@10") not in found  # within the tolerance
    assert found[("overall", "unsupported_citation_rate")] is Verdict.REGRESSED  # lower is better
    assert found[("overall", "char_f1")] is Verdict.IMPROVED
    assert verdicts(current, before, tolerance=0.2).get(("ko", "recall@1")) is None
    text = comparison_markdown(compare(current, before))
    assert "FAILED" in text and "ko recall@1 (regressed)" in text and "| overall | char_f1 |" in text


def test_latency_is_gated_only_when_asked() -> None:
    before = baseline()
    slow = changed(before, "overall", total_p95_ms=before.groups["overall"]["total_p95_ms"] * 3)
    assert compare(slow, before).passed
    assert verdicts(slow, before)[("overall", "total_p95_ms")] is Verdict.NOT_GATED
    assert not compare(slow, before, latency_factor=2.0).passed
    assert compare(slow, before, latency_factor=4.0).passed


def test_a_missing_group_or_metric_or_another_set_fails() -> None:
    before = baseline()
    groups = {name: values for name, values in before.groups.items() if name != "zh-Hant"}
    groups["ko"] = {k: v for k, v in groups["ko"].items() if k != "citation_recall"}
    shrunk = dataclasses.replace(before, groups=groups)
    found = verdicts(shrunk, before)
    assert found[("zh-Hant", "recall@1")] is Verdict.MISSING and found[("ko", "citation_recall")] is Verdict.MISSING
    grown = changed(before, "overall", cases=before.groups["overall"]["cases"] + 1)
    assert verdicts(grown, before)[("overall", "cases")] is Verdict.SET_CHANGED
    assert not compare(grown, before).passed


def test_judged_metrics_are_shown_but_never_gated() -> None:
    before = baseline()
    current = dataclasses.replace(before, judged={"overall": {"faithfulness": 0.1}})
    comparison = compare(current, before)
    assert comparison.passed
    assert verdicts(current, before)[("judged/overall", "faithfulness")] is Verdict.NOT_GATED


def test_cases_that_got_worse_are_named() -> None:
    before = baseline()
    rows = list(before.cases)
    rows[0] = dataclasses.replace(rows[0], answer_contains=False)
    rows[3] = dataclasses.replace(rows[3], gold_rank=None)
    rows[2] = dataclasses.replace(rows[2], abstained=True)  # the unanswerable case now abstains: better
    comparison = compare(dataclasses.replace(before, cases=tuple(rows)), before)
    assert comparison.worse_cases == ("ko-when", "hant-when")
    assert "ko-when, hant-when" in comparison_markdown(comparison)


def test_rounding_in_the_file_is_not_shown_as_a_change() -> None:
    before = baseline()
    rounded = changed(before, "overall", char_f1=round(before.groups["overall"]["char_f1"], 6) + 4e-7)
    assert "char_f1" not in comparison_markdown(compare(rounded, before))
    moved = changed(before, "overall", char_f1=before.groups["overall"]["char_f1"] + 0.001)
    assert "| overall | char_f1 |" in comparison_markdown(compare(moved, before))
