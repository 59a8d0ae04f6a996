"""The result of an evaluation run, and its JSON file.

{"overall": {metric: value}, "ko": {...}, "zh-Hans": {...}, "zh-Hant": {...},
 "cross-lingual": {...}, "ko-question-zh-answer": {...}, "zh-question-ko-answer": {...},
 "judged": {group: {metric: value}},      # only when a model judged the answers
 "run": {"cases_file", "model", "cases", "reused", "seconds", "fingerprint"},
 "cases": [{"id", "language", "gold_rank", "exact_match", "char_f1", ...}]}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import IngestError
from .answer_metrics import score_case, summarize_by_group
from .cases import CaseResult

RESERVED = ("judged", "run", "cases")


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What was run: the set, the answer composer, how many answers came from the cache, and how long it took."""

    cases_file: str = ""
    model: str = ""
    cases: int = 0
    reused: int = 0
    seconds: float = 0.0
    fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One case's outcome, as listed in the result file (no latencies, so a baseline file stays stable)."""

    id: str
    language: str
    answerable: bool
    tags: tuple[str, ...]
    gold_rank: int | None
    exact_match: float
    char_f1: float
    answer_contains: bool
    citations: int
    cites_gold: bool
    unsupported_citations: int
    abstained: bool
    fallback: bool

    @property
    def problems(self) -> int:
        """How many things went wrong (0: none): a missed answer, gold or abstention, bad citations, a fallback."""
        if not self.answerable:
            return int(not self.abstained) + self.unsupported_citations + int(self.fallback)
        missed = (not self.answer_contains, self.gold_rank is None, not self.cites_gold, self.abstained, self.fallback)
        return sum(missed) + self.unsupported_citations


def case_row(result: CaseResult) -> CaseRow:
    """The outcome of one case."""
    case, scores = result.case, score_case(result)
    return CaseRow(
        id=case.id,
        language=case.language.value,
        answerable=case.answerable,
        tags=case.tags,
        gold_rank=scores.gold_rank,
        exact_match=scores.exact_match,
        char_f1=round(scores.char_f1, 4),
        answer_contains=scores.contains,
        citations=scores.citations,
        cites_gold=scores.cites_gold,
        unsupported_citations=scores.unsupported_citations,
        abstained=scores.abstained,
        fallback=result.answer.fallback,
    )


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """Metrics per group, judged metrics apart, what was run, and one row per case."""

    groups: dict[str, dict[str, float]]
    judged: dict[str, dict[str, float]] = field(default_factory=dict)
    run: RunInfo = field(default_factory=RunInfo)
    cases: tuple[CaseRow, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The result as the JSON file holds it."""
        data: dict[str, Any] = {name: _rounded(metrics) for name, metrics in self.groups.items()}
        if self.judged:
            data["judged"] = {name: _rounded(metrics) for name, metrics in self.judged.items()}
        data["run"] = asdict(self.run)
        data["cases"] = [asdict(row) for row in self.cases]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluationResult:
        """Inverse of ``to_dict``; unknown fields of runs and rows are ignored."""
        groups = {
            name: {key: float(value) for key, value in metrics.items()}
            for name, metrics in data.items()
            if name not in RESERVED
        }
        run_fields = {f.name for f in fields(RunInfo)}
        rows = tuple(_row(row) for row in data.get("cases", []))
        run = RunInfo(**{k: v for k, v in (data.get("run") or {}).items() if k in run_fields})
        return cls(groups, dict(data.get("judged") or {}), run, rows)


def _rounded(metrics: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 6) for key, value in metrics.items()}


def _row(data: dict[str, Any]) -> CaseRow:
    rank = data.get("gold_rank")
    return CaseRow(
        id=str(data["id"]),
        language=str(data.get("language", "")),
        answerable=bool(data.get("answerable", True)),
        tags=tuple(str(tag) for tag in data.get("tags", ())),
        gold_rank=None if rank is None else int(rank),
        exact_match=float(data.get("exact_match", 0.0)),
        char_f1=float(data.get("char_f1", 0.0)),
        answer_contains=bool(data.get("answer_contains", False)),
        citations=int(data.get("citations", 0)),
        cites_gold=bool(data.get("cites_gold", False)),
        unsupported_citations=int(data.get("unsupported_citations", 0)),
        abstained=bool(data.get("abstained", False)),
        fallback=bool(data.get("fallback", False)),
    )


def evaluation_result(
    results: Sequence[CaseResult], run: RunInfo, judged: dict[str, dict[str, float]] | None = None
) -> EvaluationResult:
    """The metrics and rows of a run's results."""
    return EvaluationResult(summarize_by_group(results), judged or {}, run, tuple(case_row(r) for r in results))


def write_result(result: EvaluationResult, path: Path) -> None:
    """Write the JSON file (UTF-8, real characters, indented)."""
    path.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_result(path: Path) -> EvaluationResult:
    """Read a result file written by ``eval run --json``, with a clear error when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("overall"), dict):
            raise ValueError("no 'overall' metrics")
        return EvaluationResult.from_dict(data)
    except (
        OSError,
        UnicodeDecodeError,
        json.JSONDecodeError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
    ) as error:
        raise IngestError(
            f"{path} is not an evaluation result ({error}). Write one with: assistant eval run SET.jsonl --json FILE"
        ) from error
