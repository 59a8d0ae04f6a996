"""Evaluation sets of our own (``eval/demo.jsonl``): cases, and running them through the ``Assistant``.

One JSON object per line: ``id``, ``question``, optional ``conversation`` (earlier turns as
``{"question", "answer"}``), ``language``, ``gold_passages`` and/or ``gold_documents``, ``answers``
(acceptable answer strings), ``answerable`` and optional ``tags``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import IngestError
from ..records import Answer, Language, Turn

if TYPE_CHECKING:
    from ..core import Assistant
    from .run_cache import RunCache


@dataclass(frozen=True, slots=True)
class Case:
    """One evaluation question with what a good answer must find and say."""

    id: str
    question: str
    language: Language
    answerable: bool
    answers: tuple[str, ...] = ()
    gold_documents: tuple[str, ...] = ()
    gold_passages: tuple[str, ...] = ()
    conversation: tuple[tuple[str, str], ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)


def load_cases(path: Path) -> list[Case]:
    """Cases from a JSONL file; a malformed line is reported with its file and line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise IngestError(f"Cannot read the evaluation set {path}: {error}") from error
    cases: list[Case] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = _case(json.loads(line))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise IngestError(
                f"{path}:{number}: not a valid case ({error}). See eval/README.md for the format."
            ) from error
        if case.id in seen:
            raise IngestError(f"{path}:{number}: the case id '{case.id}' is used twice.")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise IngestError(f"The evaluation set {path} has no cases.")
    return cases


def _case(data: dict[str, Any]) -> Case:
    turns = tuple((str(turn["question"]), str(turn.get("answer", ""))) for turn in data.get("conversation") or [])
    answers = tuple(str(a) for a in data.get("answers") or [])
    answerable = bool(data.get("answerable", bool(answers)))
    return Case(
        id=str(data["id"]),
        question=str(data["question"]),
        language=Language(data.get("language", Language.OTHER.value)),
        answerable=answerable,
        answers=answers,
        gold_documents=tuple(str(d) for d in data.get("gold_documents") or []),
        gold_passages=tuple(str(p) for p in data.get("gold_passages") or []),
        conversation=turns,
        tags=tuple(str(t) for t in data.get("tags") or []),
    )


@dataclass(frozen=True, slots=True)
class CaseResult:
    """A case and the assistant's answer to it (``cached`` when it was kept from an earlier run)."""

    case: Case
    answer: Answer
    seconds: float
    cached: bool = False


async def run_case(assistant: Assistant, case: Case) -> CaseResult:
    """Ask one case's question after its earlier turns (given inline: an evaluation stores no conversation)."""
    started = time.perf_counter()
    earlier = [Turn(asked, asked, said, language=case.language) for asked, said in case.conversation]
    answer = await assistant.answer(case.question, history=earlier, remember=False)
    return CaseResult(case, answer, time.perf_counter() - started)


async def run_cases(
    assistant: Assistant,
    cases: Sequence[Case],
    on_result: Callable[[CaseResult], None] | None = None,
    cache: RunCache | None = None,
) -> list[CaseResult]:
    """Every case in order, one at a time (so latencies are those of a lone user); answers in ``cache`` are reused."""
    results = []
    for case in cases:
        result = cache.result_for(case) if cache else None
        if result is None:
            result = await run_case(assistant, case)
            if cache:
                cache.keep(result)
        results.append(result)
        if on_result:
            on_result(result)
    return results
