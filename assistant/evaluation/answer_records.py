"""Answers as plain JSON and back, whole (hits, side scores and exact timings included), for the run cache.

``Answer.to_dict`` is the public shape shared by the CLI and the API; it leaves out the hits and rounds the
timings. A cached answer must compute the same metrics as the original, so it keeps everything.
"""

from __future__ import annotations

from typing import Any

from ..records import Answer, Citation, Hit, Language, Passage


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    """A hit with its passage and all three scores."""
    return {
        "passage": hit.passage.to_dict(),
        "score": hit.score,
        "keyword_score": hit.keyword_score,
        "dense_score": hit.dense_score,
    }


def hit_from_dict(data: dict[str, Any]) -> Hit:
    """Inverse of ``hit_to_dict``."""
    return Hit(
        Passage.from_dict(data["passage"]),
        float(data["score"]),
        float(data.get("keyword_score", 0.0)),
        float(data.get("dense_score", 0.0)),
    )


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """Every field of an answer as JSON-ready data."""
    return {
        "text": answer.text,
        "citations": [{**citation.to_dict(), "score": citation.score} for citation in answer.citations],
        "hits": [hit_to_dict(hit) for hit in answer.hits],
        "model": answer.model,
        "grounded": answer.grounded,
        "language": answer.language.value,
        "query": answer.query,
        "fallback": answer.fallback,
        "fallback_reason": answer.fallback_reason,
        "conversation_id": answer.conversation_id,
        "timings_ms": dict(answer.timings_ms),
        "usage": dict(answer.usage),
        "short_answer": answer.short_answer,
        "abstained": answer.abstained,
        "related": [hit_to_dict(hit) for hit in answer.related],
    }


def answer_from_dict(data: dict[str, Any]) -> Answer:
    """Inverse of ``answer_to_dict``."""
    return Answer(
        text=data["text"],
        citations=tuple(Citation.from_dict(c) for c in data["citations"]),
        hits=tuple(hit_from_dict(h) for h in data["hits"]),
        model=data["model"],
        grounded=bool(data["grounded"]),
        language=Language(data["language"]),
        query=data.get("query", ""),
        fallback=bool(data.get("fallback", False)),
        fallback_reason=data.get("fallback_reason", ""),
        conversation_id=data.get("conversation_id", ""),
        timings_ms={stage: float(ms) for stage, ms in data.get("timings_ms", {}).items()},
        usage={name: int(count) for name, count in data.get("usage", {}).items()},
        short_answer=data.get("short_answer", ""),
        abstained=bool(data.get("abstained", False)),
        related=tuple(hit_from_dict(h) for h in data.get("related", [])),
    )
