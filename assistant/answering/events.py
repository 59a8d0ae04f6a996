"""What ``Assistant.stream`` yields, in order: ``Retrieved``, ``Delta``s (maybe a ``Fallback``), ``Done``."""

from __future__ import annotations

from dataclasses import dataclass

from ..records import Answer, Hit


@dataclass(frozen=True, slots=True)
class Retrieved:
    """The passages found for the (rewritten) query; they are numbered from 1 in this order."""

    query: str
    hits: tuple[Hit, ...]
    conversation_id: str


@dataclass(frozen=True, slots=True)
class Delta:
    """The next piece of answer text."""

    text: str


@dataclass(frozen=True, slots=True)
class Fallback:
    """The model failed after text was sent: discard it, the extractive answer follows as new deltas."""

    reason: str


@dataclass(frozen=True, slots=True)
class Done:
    """The final answer, with verified citations; its text may differ from the deltas (markers normalised)."""

    answer: Answer


AnswerEvent = Retrieved | Delta | Fallback | Done
