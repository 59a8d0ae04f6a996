"""Comparing a run with a baseline result, so CI can fail when a metric drops.

Rates (recall, MRR, answer and citation metrics, abstention) regress when they move the wrong way by more
than ``tolerance`` (absolute, in 0–1). Latencies are not gated unless ``latency_factor`` is given; then one
regresses when it exceeds that many times the baseline. A group or metric of the baseline that the run lacks,
or a different number of cases, fails too: the baseline no longer describes the set. Judged metrics are
never gated (they are a model's opinion).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .result_file import EvaluationResult

LOWER_IS_BETTER = frozenset({"unsupported_citation_rate", "fallback_rate"})
COUNTS = frozenset({"cases", "answerable", "faithfulness_judged", "correctness_judged", "judge_failures"})
_EPSILON = 1e-9


class Verdict(StrEnum):
    """What a difference means for the gate."""

    SAME = "same"
    IMPROVED = "improved"
    REGRESSED = "regressed"
    MISSING = "missing"
    SET_CHANGED = "set changed"
    NOT_GATED = "not gated"


FAILING = frozenset({Verdict.REGRESSED, Verdict.MISSING, Verdict.SET_CHANGED})


@dataclass(frozen=True, slots=True)
class Difference:
    """One metric of one group in the baseline and in the run."""

    group: str
    metric: str
    baseline: float | None
    current: float | None
    verdict: Verdict

    @property
    def delta(self) -> float | None:
        """Run minus baseline, when both have the metric."""
        if self.baseline is None or self.current is None:
            return None
        return self.current - self.baseline


@dataclass(frozen=True, slots=True)
class Comparison:
    """Every difference, the cases that got worse, and the limits they were judged by."""

    differences: tuple[Difference, ...]
    worse_cases: tuple[str, ...]
    tolerance: float
    latency_factor: float | None

    @property
    def failures(self) -> tuple[Difference, ...]:
        """The differences that fail the gate."""
        return tuple(d for d in self.differences if d.verdict in FAILING)

    @property
    def passed(self) -> bool:
        """Whether no metric dropped beyond the limits."""
        return not self.failures


def compare(
    current: EvaluationResult, baseline: EvaluationResult, tolerance: float = 0.02, latency_factor: float | None = None
) -> Comparison:
    """Each baseline metric against the run's (metrics only the run has are not compared)."""
    differences: list[Difference] = []
    for group, metrics in baseline.groups.items():
        for metric, before in metrics.items():
            after = current.groups.get(group, {}).get(metric)
            verdict = _verdict(metric, before, after, tolerance, latency_factor)
            differences.append(Difference(group, metric, before, after, verdict))
    for group, metrics in baseline.judged.items():
        for metric, before in metrics.items():
            after = current.judged.get(group, {}).get(metric)
            differences.append(Difference(f"judged/{group}", metric, before, after, Verdict.NOT_GATED))
    return Comparison(tuple(differences), _worse_cases(current, baseline), tolerance, latency_factor)


def _verdict(
    metric: str, before: float, after: float | None, tolerance: float, latency_factor: float | None
) -> Verdict:
    if after is None:
        return Verdict.MISSING
    if metric in COUNTS:
        return Verdict.SAME if after == before else Verdict.SET_CHANGED
    if metric.endswith("_ms"):
        if latency_factor is None:
            return Verdict.NOT_GATED
        return Verdict.REGRESSED if after > before * latency_factor + _EPSILON else Verdict.SAME
    gain = before - after if metric in LOWER_IS_BETTER else after - before
    if gain < -tolerance - _EPSILON:
        return Verdict.REGRESSED
    if gain > tolerance + _EPSILON:
        return Verdict.IMPROVED
    return Verdict.SAME


def _worse_cases(current: EvaluationResult, baseline: EvaluationResult) -> tuple[str, ...]:
    """Cases that lost their answer, their gold passage or their abstention since the baseline."""
    before = {row.id: row for row in baseline.cases}
    worse = []
    for row in current.cases:
        old = before.get(row.id)
        if old is None:
            continue
        lost_answer = old.answer_contains and not row.answer_contains
        lost_gold = old.gold_rank is not None and (row.gold_rank is None or row.gold_rank > old.gold_rank)
        right_before = old.abstained != old.answerable
        lost_abstention = right_before and row.abstained == row.answerable
        if lost_answer or lost_gold or lost_abstention:
            worse.append(row.id)
    return tuple(worse)
