"""Model-judged metrics: the configured language model scores faithfulness and correctness from 0 to 1.

They are opinions of a model, not measurements, so they are reported apart from the deterministic metrics
(under ``judged``) and never gate a comparison. *Faithfulness*: how much of an answer its cited passages
support (answers that cite nothing are not judged). *Correctness*: whether an answer to an answerable case
gives a reference answer. A reply that holds no score in 0–1 (nor yes/no) counts as a judge failure.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..answering.citations import MARKER
from ..errors import ModelError
from ..models.base import ChatMessage, ChatModel, ChatRequest, complete
from .answer_metrics import groups_of
from .cases import CaseResult
from .run_cache import RunCache, case_key

FAITHFULNESS_PROMPT = (
    "You check answers against their sources. Reply with one number from 0 to 1: the share of the answer's "
    "claims that the sources support (1: all of them, 0: none). Reply with the number only."
)
CORRECTNESS_PROMPT = (
    "You grade answers against reference answers. Reply with one number from 0 to 1: 1 if the answer gives a "
    "reference answer or the same fact, 0 if it is wrong or missing, in between if partly right. "
    "Reply with the number only."
)
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?!\.?\d)")
_YES = re.compile(r"^\W*(?:(?:yes|correct|true)\b|예|네|是|对|對)", re.I)
_NO = re.compile(r"^\W*(?:(?:no|incorrect|false)\b|아니|否|不)", re.I)
_SOURCE_CHARS = 1200


@dataclass(frozen=True, slots=True)
class Judgment:
    """A model's scores for one answer; ``None`` where it was not judged or the judge failed."""

    faithfulness: float | None
    correctness: float | None
    failures: int = 0


def parse_score(reply: str) -> float | None:
    """The 0–1 score in a judge's reply ('0.8', '1', 'yes', '아니요'), or None when it holds none."""
    text = reply.strip()
    match = _NUMBER.search(text)
    if match:
        value = float(match.group())
        return value if 0.0 <= value <= 1.0 else None
    if _YES.search(text):
        return 1.0
    if _NO.search(text):
        return 0.0
    return None


def faithfulness_messages(result: CaseResult) -> list[ChatMessage]:
    """The judge prompt for faithfulness: the cited passages, then the answer."""
    sources = "\n\n".join(f"[{c.n}] {c.passage.text[:_SOURCE_CHARS]}" for c in result.answer.citations)
    user = f"Sources:\n{sources}\n\nAnswer:\n{result.answer.text}"
    return [ChatMessage("system", FAITHFULNESS_PROMPT), ChatMessage("user", user)]


def correctness_messages(result: CaseResult) -> list[ChatMessage]:
    """The judge prompt for correctness: the question, the reference answers, then the answer."""
    case = result.case
    references = " | ".join(case.answers)
    answer = MARKER.sub("", result.answer.text)
    user = f"Question:\n{case.question}\n\nReference answers:\n{references}\n\nAnswer:\n{answer}"
    return [ChatMessage("system", CORRECTNESS_PROMPT), ChatMessage("user", user)]


async def _score(model: ChatModel, messages: list[ChatMessage], deadline: float) -> float | None:
    request = ChatRequest(messages=messages, temperature=0.0, max_tokens=16)
    try:
        reply, _ = await asyncio.wait_for(complete(model, request), deadline)
    except (ModelError, TimeoutError):
        return None
    return parse_score(reply)


async def judge(model: ChatModel, result: CaseResult, deadline: float = 60.0) -> Judgment:
    """Ask the model for one answer's faithfulness (if it cites) and correctness (if the case is answerable)."""
    faithfulness = correctness = None
    failures = 0
    if result.answer.citations:
        faithfulness = await _score(model, faithfulness_messages(result), deadline)
        failures += faithfulness is None
    if result.case.answerable:
        correctness = await _score(model, correctness_messages(result), deadline)
        failures += correctness is None
    return Judgment(faithfulness, correctness, failures)


async def judge_all(
    model: ChatModel,
    results: Sequence[CaseResult],
    *,
    deadline: float = 60.0,
    cache: RunCache | None = None,
    on_judged: Callable[[Judgment], None] | None = None,
) -> list[Judgment]:
    """A judgment per result, in order; judgments in ``cache`` are reused and new ones kept unless a call failed."""
    judgments = []
    for result in results:
        key = f"judge:{model.id}:{case_key(result.case)}:{hashlib.sha256(result.answer.text.encode()).hexdigest()}"
        stored = cache.get(key) if cache else None
        if stored is not None:
            judgment = Judgment(stored["faithfulness"], stored["correctness"], 0)
        else:
            judgment = await judge(model, result, deadline)
            if cache and not judgment.failures:
                cache.put(key, {"faithfulness": judgment.faithfulness, "correctness": judgment.correctness})
        judgments.append(judgment)
        if on_judged:
            on_judged(judgment)
    return judgments


def summarize_judgments(results: Sequence[CaseResult], judgments: Sequence[Judgment]) -> dict[str, dict[str, float]]:
    """Mean judged faithfulness and correctness, overall and per language (the groups of ``summarize_by_group``)."""
    by_case = {id(result): judgment for result, judgment in zip(results, judgments, strict=True)}
    summary = {}
    for name, group in groups_of(results).items():
        scored = [by_case[id(result)] for result in group]
        faithful = [j.faithfulness for j in scored if j.faithfulness is not None]
        correct = [j.correctness for j in scored if j.correctness is not None]
        summary[name] = {
            "faithfulness": sum(faithful) / len(faithful) if faithful else 0.0,
            "correctness": sum(correct) / len(correct) if correct else 0.0,
            "faithfulness_judged": float(len(faithful)),
            "correctness_judged": float(len(correct)),
            "judge_failures": float(sum(j.failures for j in scored)),
        }
    return summary
