"""Reading a sentence across Korean and Chinese when scoring it against a question, through Hanja readings.

Most Korean policy vocabulary is Sino-Korean, so a Chinese sentence read the Korean way holds the Korean
question's words (物流倉庫 is 물류창고), and a Chinese question's words read the Korean way are the words of
the Korean sentence (物流 is 물류). Retrieval already meets the other language (the readings keyword field, the
other-language lane); this lets the composer, the short answer and the answerability check see that the
passage it met covers the question, instead of scoring its sentences zero for want of shared characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from ..languages import CHINESE, detect_language
from ..records import Language
from ..text.readings import readings

if TYPE_CHECKING:
    from .sentence_scoring import Candidate

_ALL_HANGUL = re.compile(r"[\uac00-\ud7a3]{2,}")
_HAN = re.compile(r"[\u3400-\u9fff]")


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
