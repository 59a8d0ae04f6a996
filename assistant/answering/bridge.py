"""Reading a sentence across Korean and Chinese when scoring it against a question, through Hanja readings.

Most Korean policy vocabulary is Sino-Korean, so a Chinese sentence read the Korean way holds the Korean
question's words (物流倉庫 is 물류창고), and a Chinese question's words read the Korean way are the words of
the Korean sentence (物流 is 물류). Retrieval already meets the other language (the readings keyword field, the
other-language lane); this lets the composer, the short answer and the answerability check see that the
passage it met covers the question, instead of scoring its sentences zero for want of shared characters; and
it gives the other language's best sentence a place in the answer when the question's own language answers
poorly (``bridged_sentence``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from ..languages import CHINESE, detect_language, same_language
from ..records import Language
from ..text.readings import readings

if TYPE_CHECKING:
    from .sentence_scoring import Candidate, QuestionTerms

_ALL_HANGUL = re.compile(r"[\uac00-\ud7a3]{2,}")
_HAN = re.compile(r"[\u3400-\u9fff]")
# When the other language's best sentence takes a place in the answer (set on the demo set's cross-lingual cases).
POOR_COVERAGE = 0.35  # the own-language sentences cover less of the question than this
ADDED_COVERAGE = 0.2  # or the other language's sentence adds at least this much to them


@lru_cache(maxsize=4096)
def korean_reading(text: str) -> str:
    """The text with its Han characters read in Korean (cached: a passage's sentences come back often)."""
    return readings(text)


def asks_in_korean(question: str) -> bool:
    """Whether the question is Korean (so Chinese sentences are read in Korean for it)."""
    return detect_language(question) is Language.KOREAN


def read_for(question: str, candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates as a Korean question can read them: a Chinese sentence's normal text gets its Korean
    reading appended (Korean sentences, and every sentence for a Chinese question, are kept as they are)."""
    if not asks_in_korean(question):
        return list(candidates)
    return [replace(c, normal=text_for_korean(c.normal, c.passage.language)) for c in candidates]


def word_readings(words: Iterable[str]) -> dict[str, str]:
    """Korean readings of a Chinese question's words (only all-Hangul readings of two or more syllables):
    a Korean sentence holding the reading holds the word."""
    found: dict[str, str] = {}
    for word in words:
        if _HAN.search(word):
            reading = korean_reading(word)
            if _ALL_HANGUL.fullmatch(reading):
                found[word] = reading
    return found


def text_for_korean(text: str, language: Language) -> str:
    """A normalised text as a Korean question reads it: a Chinese one gets its Korean reading appended."""
    return f"{text}\n{korean_reading(text)}" if language in CHINESE else text


def reading_presence(reading: str, normal: str, partial: float) -> float:
    """1 if the text holds the whole reading; else ``partial`` times the share of its syllable pairs it holds
    (打電話 reads 타전화, and 전화번호 holds 전화)."""
    if reading in normal:
        return 1.0
    pairs = [reading[i : i + 2] for i in range(len(reading) - 1)]
    return partial * sum(pair in normal for pair in pairs) / len(pairs) if pairs else 0.0


def bridged_sentence(
    question: str, terms: QuestionTerms, ranked: Sequence[Candidate], max_sentences: int
) -> tuple[Candidate, bool] | None:
    """The other language's best sentence when it should have a place in the answer, and whether it goes first.

    It gets one when the question's own-language sentences cover the question poorly (under ``POOR_COVERAGE``)
    or when it adds at least ``ADDED_COVERAGE`` to them; it goes first when they cover it poorly, even when its own
    words miss the question (retrieval ranked it best of its language, often through the dense side). Only Korean
    and Chinese questions bridge (an English question's passages are all in another language anyway).
    """
    from .sentence_scoring import coverage  # sentence_scoring reads through this module: imported when used

    language = detect_language(question)
    if language is Language.OTHER:
        return None
    own = [c for c in ranked if same_language(c.passage.language, language)]
    other = next((c for c in ranked if not same_language(c.passage.language, language)), None)
    if other is None or other.passage.language is Language.OTHER:
        return None
    own_text = "\n".join(c.normal for c in own[:max_sentences])
    own_coverage = coverage(terms, own_text) if own else 0.0
    added = coverage(terms, f"{own_text}\n{other.normal}") - own_coverage
    if own_coverage >= POOR_COVERAGE and added < ADDED_COVERAGE:
        return None
    return other, own_coverage < POOR_COVERAGE
