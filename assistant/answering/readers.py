"""The ``PhraseReader`` contract: which words of the best sentences answer a question, and its registry.

The extractive composer picks the sentences most likely to hold the answer; a reader then picks the
phrase inside them that is the answer itself (a date, an amount with its unit, a name, a place, a list),
shown first as ``short_answer``. ``rules`` (the default) needs no model; ``transformers`` runs any
extractive question-answering model from a local folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..records import Language
from ..registry import Registry
from ..settings import AnswerSettings


@dataclass(frozen=True, slots=True)
class Phrase:
    """The answering words: ``sentence`` indexes the sentences given, ``start``/``end`` are offsets in it."""

    text: str
    sentence: int
    start: int
    end: int
    score: float


@runtime_checkable
class PhraseReader(Protocol):
    """Finds the phrase that answers a question inside a few candidate sentences (best first)."""

    id: str

    def read(self, question: str, sentences: Sequence[str], language: Language) -> Phrase | None:
        """The answering phrase, or None when no sentence holds one; ``text == sentences[i][start:end]``."""
        ...


READERS: Registry[PhraseReader] = Registry(
    "reader",
    {
        "rules": "assistant.answering.phrase_rules:RuleReader",
        "transformers": "assistant.models.reader_transformers:TransformersReader",
    },
)


def create_reader(settings: AnswerSettings) -> PhraseReader | None:
    """The reader the settings name; None for 'none' (answers without a short phrase)."""
    if settings.reader == "none":
        return None
    if settings.reader == "rules":
        return READERS.create("rules")
    return READERS.create(settings.reader, model=settings.reader_model, device=settings.reader_device)
