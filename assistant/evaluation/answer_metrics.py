"""Answer, citation and abstention metrics of evaluation-set results, overall and per language.

``score_case`` says how one answer did; ``summarize`` turns a group's scores into rates (0–1) and
latencies (ms); ``summarize_by_group`` does so overall, per language, and for the cross-lingual cases
on their own, all together and per direction (they need a cross-lingual model or keyword bridge and may
fail offline, so they are kept out of ``overall`` and the language groups).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..answering.citations import MARKER
from .answer_match import char_f1, contains_answer, exact_match, fold
from .cases import CaseResult
from .metrics import percentile, retrieval_metrics

__all__ = [
    "CROSS_LINGUAL",
    "DIRECTIONS",
    "STAGES",
    "CaseScores",
    "fold",
    "groups_of",
    "is_cross_lingual",
    "score_case",
    "summarize",
    "summarize_by_group",
]

CROSS_LINGUAL = "cross-lingual"
# A question in one language whose answer only documents in the other language carry.
DIRECTIONS = ("ko-question-zh-answer", "zh-question-ko-answer")
STAGES = ("rewrite", "retrieval", "generation", "grounding", "total")


@dataclass(frozen=True, slots=True)
class CaseScores:
    """How one answer did: where the gold was ranked, how its text matches, what it cites, whether it abstained."""

    gold_rank: int | None
    exact_match: float
    char_f1: float
    contains: bool
    citations: int
    supporting_citations: int
    unsupported_citations: int
    cites_gold: bool
    abstained: bool


def _gold_rank(result: CaseResult) -> int | None:
    case = result.case
    for rank, hit in enumerate(result.answer.hits, start=1):
        passage = hit.passage
        if passage.id in case.gold_passages or passage.document_id in case.gold_documents:
            return rank
    return None


def _is_gold(result: CaseResult, document_id: str, passage_id: str) -> bool:
    return passage_id in result.case.gold_passages or document_id in result.case.gold_documents


def _supports(result: CaseResult, document_id: str, passage_id: str, text: str) -> bool:
    """A citation supports the answer when it is a gold passage or holds a gold answer."""
    return _is_gold(result, document_id, passage_id) or contains_answer(text, result.case.answers)


def score_case(result: CaseResult) -> CaseScores:
    """The scores of one answer against its case's gold passages and answers."""
    case, answer = result.case, result.answer
    # The answer phrase is what exact match and char F1 judge; an answer without one is judged whole.
    prediction = answer.short_answer or MARKER.sub("", answer.text)
    citations = answer.citations
    return CaseScores(
        gold_rank=_gold_rank(result),
        exact_match=exact_match(prediction, case.answers) if case.answers else 0.0,
        char_f1=char_f1(prediction, case.answers) if case.answers else 0.0,
        contains=contains_answer(answer.text, case.answers),
        citations=len(citations),
        supporting_citations=sum(
            _supports(result, c.passage.document_id, c.passage.id, c.passage.text) for c in citations
        ),
        unsupported_citations=sum(not c.supported for c in citations),
        cites_gold=any(_is_gold(result, c.passage.document_id, c.passage.id) for c in citations),
        abstained=answer.abstained or not citations,
    )


def summarize(results: Sequence[CaseResult]) -> dict[str, float]:
    """All metrics of a group of results (rates in 0–1, latencies in ms)."""
    scored = [(r, score_case(r)) for r in results]
    answerable = [s for r, s in scored if r.case.answerable]
    unanswerable = [s for r, s in scored if not r.case.answerable]
    cited = sum(s.citations for s in answerable)
    all_cited = sum(s.citations for _, s in scored)
    metrics: dict[str, float] = {"cases": len(results), "answerable": len(answerable)}
    metrics.update(retrieval_metrics([s.gold_rank for s in answerable]))
    metrics["exact_match"] = _mean([s.exact_match for s in answerable])
    metrics["char_f1"] = _mean([s.char_f1 for s in answerable])
    metrics["answer_contains"] = _mean([float(s.contains) for s in answerable])
    metrics["citation_precision"] = sum(s.supporting_citations for s in answerable) / cited if cited else 0.0
    metrics["citation_recall"] = _mean([float(s.cites_gold) for s in answerable])
    metrics["unsupported_citation_rate"] = (
        sum(s.unsupported_citations for _, s in scored) / all_cited if all_cited else 0.0
    )
    metrics["answerable_answered"] = _mean([float(not s.abstained) for s in answerable])
    metrics["abstention_accuracy"] = _mean([float(s.abstained != r.case.answerable) for r, s in scored])
    metrics["unanswerable_abstained"] = _mean([float(s.abstained) for s in unanswerable])
    metrics["grounded_rate"] = _mean([float(r.answer.grounded) for r in results if r.case.answerable])
    metrics["fallback_rate"] = _mean([float(r.answer.fallback) for r in results])
    for stage in STAGES:
        values = [r.answer.timings_ms.get(stage, 0.0) for r in results]
        metrics[f"{stage}_p50_ms"] = percentile(values, 50)
        metrics[f"{stage}_p95_ms"] = percentile(values, 95)
    return metrics


def is_cross_lingual(tags: Sequence[str]) -> bool:
    """Whether a case is tagged cross-lingual, or with one of the two directions."""
    return CROSS_LINGUAL in tags or any(direction in tags for direction in DIRECTIONS)


def groups_of(results: Sequence[CaseResult]) -> dict[str, list[CaseResult]]:
    """Results ``overall`` and per language, then the cross-lingual ones apart: all, and per direction."""
    same_language = [r for r in results if not is_cross_lingual(r.case.tags)]
    groups = {"overall": same_language}
    for language in sorted({r.case.language.value for r in same_language}):
        groups[language] = [r for r in same_language if r.case.language.value == language]
    crossing = [r for r in results if is_cross_lingual(r.case.tags)]
    if crossing:
        groups[CROSS_LINGUAL] = crossing
    for direction in DIRECTIONS:
        if chosen := [r for r in crossing if direction in r.case.tags]:
            groups[direction] = chosen
    return groups


def summarize_by_group(results: Sequence[CaseResult]) -> dict[str, dict[str, float]]:
    """Metrics ``overall`` and per language, with the cross-lingual cases reported on their own."""
    return {name: summarize(group) for name, group in groups_of(results).items()}


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
