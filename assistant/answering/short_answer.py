"""The short answer: the phrase a reader finds in the best sentences, shown before the supporting sentence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..languages import in_script
from ..records import Hit, Language
from .answer_sentences import ranked_for_answer
from .injections import is_instruction
from .readers import PhraseReader

SENTENCES_READ = 5  # how many of the best sentences the reader looks into


@dataclass(frozen=True, slots=True)
class Lead:
    """The answering phrase (in the question's script) and the sentence it was read from: hit ``n``, document span."""

    phrase: str
    n: int
    start: int
    end: int
    score: float


def find_lead(reader: PhraseReader, question: str, hits: Sequence[Hit], language: Language) -> Lead | None:
    """The phrase that answers the question in the hits' best sentences, or None when the reader finds none."""
    if not hits:
        return None
    _, ranked = ranked_for_answer(question, hits)
    best = ranked[:SENTENCES_READ]
    phrase = reader.read(question, [candidate.text for candidate in best], language)
    if phrase is None or not phrase.text.strip() or not 0 <= phrase.sentence < len(best):
        return None
    if is_instruction(phrase.text):  # never lead with words a document addresses to the assistant
        return None
    sentence = best[phrase.sentence]
    text = in_script(phrase.text.strip(), sentence.passage.language, language)
    return Lead(text, sentence.n, sentence.start, sentence.end, phrase.score)
