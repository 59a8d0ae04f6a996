"""Markdown tables of an evaluation run and of its comparison with a baseline, for a terminal or a CI log."""

from __future__ import annotations

from .answer_metrics import CROSS_LINGUAL, DIRECTIONS
from .baseline_compare import FAILING, Comparison, Difference, Verdict
from .result_file import EvaluationResult

SHOWN = (
    "cases",
    "recall@1",
    "recall@5",
    "mrr@10",
    "ndcg@10",
    "exact_match",
    "char_f1",
    "answer_contains",
    "citation_precision",
    "citation_recall",
    "unsupported_citation_rate",
    "answerable_answered",
    "unanswerable_abstained",
    "abstention_accuracy",
    "fallback_rate",
    "retrieval_p50_ms",
    "generation_p50_ms",
    "total_p50_ms",
    "total_p95_ms",
)
JUDGED_SHOWN = ("faithfulness", "correctness", "faithfulness_judged", "correctness_judged", "judge_failures")


def format_metric(metric: str, value: float | None) -> str:
    """A metric's value as shown: counts whole, latencies in ms to 0.1, rates to 0.001."""
    if value is None:
        return "—"
    if metric in ("cases", "answerable") or metric.endswith("_judged") or metric == "judge_failures":
        return f"{value:.0f}"
    return f"{value:.1f}" if metric.endswith("_ms") else f"{value:.3f}"


def _table(groups: dict[str, dict[str, float]], metrics: tuple[str, ...]) -> list[str]:
    names = list(groups)
    lines = ["| metric | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for metric in metrics:
        lines.append(f"| {metric} | " + " | ".join(format_metric(metric, groups[g].get(metric)) for g in names) + " |")
    return lines


def metrics_markdown(result: EvaluationResult) -> str:
    """The metrics per group, the judged ones in a table of their own, and a line on what was run."""
    lines = _table(result.groups, SHOWN)
    if CROSS_LINGUAL in result.groups:
        directions = ", ".join(f"`{d}`" for d in DIRECTIONS if d in result.groups)
        lines += ["", f"`{CROSS_LINGUAL}`: questions answered only by documents in the other language, all of them, "
                      f"then per direction ({directions}); kept out of `overall` and the language groups (they "
                      "need a cross-lingual model or keyword bridge and may fail offline). `citation_recall` is "
                      "the share of answers that cite a right document."]  # fmt: skip
    if result.judged:
        lines += ["", f"Judged by the model `{result.run.model}` (a model's opinion, not gated):", ""]
        lines += _table(result.judged, JUDGED_SHOWN)
    run = result.run
    if run.cases:
        reused = f", {run.reused} answers from the cache" if run.reused else ""
        lines += [
            "",
            f"{run.cases} cases from {run.cases_file} answered by `{run.model}` in {run.seconds:.1f} s{reused}.",
        ]
    return "\n".join(lines)


def _shown(difference: Difference) -> bool:
    if difference.verdict is Verdict.NOT_GATED and difference.metric.endswith("_ms"):
        return difference.group == "overall" and difference.metric.startswith("total_")
    # Result files hold 6 decimals: smaller differences are rounding, not change.
    changed = difference.delta is None or abs(difference.delta) > 1e-6
    return changed or difference.verdict not in (Verdict.SAME, Verdict.NOT_GATED)


def comparison_markdown(comparison: Comparison) -> str:
    """The metrics that changed, with the verdict of each, then whether the gate passes."""
    changed = [d for d in comparison.differences if _shown(d)]
    lines: list[str] = []
    if changed:
        lines += ["| group | metric | baseline | run | change | verdict |", "|---|---|---|---|---|---|"]
        for d in changed:
            delta = "—" if d.delta is None else f"{d.delta:+.1f}" if d.metric.endswith("_ms") else f"{d.delta:+.3f}"
            mark = f"**{d.verdict}**" if d.verdict in FAILING else str(d.verdict)
            before, after = format_metric(d.metric, d.baseline), format_metric(d.metric, d.current)
            lines.append(f"| {d.group} | {d.metric} | {before} | {after} | {delta} | {mark} |")
        lines.append("")
    else:
        lines += ["No metric changed from the baseline.", ""]
    if comparison.worse_cases:
        lines += [f"Cases worse than in the baseline: {', '.join(comparison.worse_cases)}", ""]
    latency = (
        f"latencies above {comparison.latency_factor:g}× the baseline"
        if comparison.latency_factor is not None
        else "latencies not gated"
    )
    if comparison.passed:
        lines.append(f"PASSED: no metric dropped by more than {comparison.tolerance:g} ({latency}).")
    else:
        names = ", ".join(f"{d.group} {d.metric} ({d.verdict})" for d in comparison.failures)
        lines.append(f"FAILED against the baseline (tolerance {comparison.tolerance:g}, {latency}): {names}.")
    return "\n".join(lines)
