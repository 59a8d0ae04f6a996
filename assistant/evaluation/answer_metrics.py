"""Answer, citation and abstention metrics of evaluation-set results, overall and per language."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ..answering.citations import MARKER
from ..languages import to_simplified
from .cases import CaseResult
from .metrics import percentile, retrieval_metrics

NEEDS_NEURAL = "ko-question-zh-answer"


def fold(text: str) -> str:
    """Text as answers are compared: NFKC, lower case, Simplified script, no spaces or markers."""
    text = MARKER.sub("", text)
    return re.sub(r"\s+", "", to_simplified(unicodedata.normalize("NFKC", text).lower()))


def _gold_rank(result: CaseResult) -> int | None:
    case = result.case
    for rank, hit in enumerate(result.answer.hits, start=1):
        passage = hit.passage
        if passage.id in case.gold_passages or passage.document_id in case.gold_documents:
            return rank
    return None


def _supports(result: CaseResult, document_id: str, passage_id: str, text: str) -> bool:
    case = result.case
    if passage_id in case.gold_passages or document_id in case.gold_documents:
        return True
    folded = fold(text)
    return any(fold(answer) in folded for answer in case.answers)


def summarize(results: Sequence[CaseResult]) -> dict[str, float]:
    """All metrics of a group of results (rates in 0–1, latencies in ms)."""
    answerable = [r for r in results if r.case.answerable]
    unanswerable = [r for r in results if not r.case.answerable]
    citations = [(r, c) for r in answerable for c in r.answer.citations]
    all_citations = [c for r in results for c in r.answer.citations]
    metrics: dict[str, float] = {"cases": len(results), "answerable": len(answerable)}
    metrics.update(retrieval_metrics([_gold_rank(r) for r in answerable]))
    metrics["answer_contains"] = _share(
        answerable, lambda r: any(fold(a) in fold(r.answer.text) for a in r.case.answers)
    )
    metrics["citation_precision"] = (
        sum(_supports(r, c.passage.document_id, c.passage.id, c.passage.text) for r, c in citations) / len(citations)
        if citations
        else 0.0
    )
    metrics["citation_recall"] = _share(
        answerable,
        lambda r: any(
            c.passage.document_id in r.case.gold_documents or c.passage.id in r.case.gold_passages
            for c in r.answer.citations
        ),
    )
    metrics["unsupported_citation_rate"] = (
        sum(not c.supported for c in all_citations) / len(all_citations) if all_citations else 0.0
    )
    metrics["abstention_accuracy"] = _share(results, lambda r: bool(r.answer.citations) == r.case.answerable)
    metrics["unanswerable_abstained"] = _share(unanswerable, lambda r: not r.answer.citations)
    metrics["grounded_rate"] = _share(answerable, lambda r: r.answer.grounded)
    metrics["fallback_rate"] = _share(results, lambda r: r.answer.fallback)
    for stage in ("rewrite", "retrieval", "generation", "grounding", "total"):
        values = [r.answer.timings_ms.get(stage, 0.0) for r in results]
        metrics[f"{stage}_p50_ms"] = percentile(values, 50)
        metrics[f"{stage}_p95_ms"] = percentile(values, 95)
    return metrics


def summarize_by_group(results: Sequence[CaseResult]) -> dict[str, dict[str, float]]:
    """Metrics ``overall`` and per language, with cases that need a neural model reported on their own."""
    offline = [r for r in results if NEEDS_NEURAL not in r.case.tags]
    groups = {"overall": summarize(offline)}
    for language in sorted({r.case.language.value for r in offline}):
        groups[language] = summarize([r for r in offline if r.case.language.value == language])
    neural = [r for r in results if NEEDS_NEURAL in r.case.tags]
    if neural:
        groups[NEEDS_NEURAL] = summarize(neural)
    return groups


def _share(results: Sequence[CaseResult], test: object) -> float:
    assert callable(test)
    return sum(1 for r in results if test(r)) / len(results) if results else 0.0
