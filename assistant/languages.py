"""Telling Korean, Traditional and Simplified Chinese apart, and converting between the Chinese scripts."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from operator import ne
from typing import Any

from .records import Language

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")

# Characters OpenCC turns into another Traditional form although Traditional text writes them as they are too.
_SHARED_FORMS = frozenset("台")
_SHARED_FORM = re.compile(f"[{re.escape(''.join(sorted(_SHARED_FORMS)))}]")
_lock = threading.Lock()
CHINESE = frozenset({Language.TRADITIONAL, Language.SIMPLIFIED})


@lru_cache(maxsize=2)
def _converter(config: str) -> Any:
    import opencc

    with _lock:
        return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional → Simplified (characters only; Hangul and Latin pass through)."""
    return _converter("t2s").convert(text) if _HAN.search(text) else text


def to_traditional(text: str) -> str:
    """Simplified → Traditional."""
    return _converter("s2t").convert(text) if _HAN.search(text) else text


def same_language(a: Language, b: Language) -> bool:
    """Whether two languages are one (the two Chinese scripts are one language)."""
    return a == b or (a in CHINESE and b in CHINESE)


def in_script(text: str, source: Language, language: Language) -> str:
    """Chinese text of script ``source`` in the script of ``language``; anything else unchanged."""
    if language == source or language not in CHINESE or source not in CHINESE:
        return text
    return to_traditional(text) if language == Language.TRADITIONAL else to_simplified(text)


def normalize(text: str) -> str:
    """The form keyword matching works on: NFKC, lower case, Chinese folded to Simplified."""
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


def chinese_script(text: str, default: Language = Language.SIMPLIFIED) -> Language:
    """Traditional or Simplified, by which characters OpenCC changes; ``default`` when none tell them apart."""
    han = "".join(_HAN_RUN.findall(text))
    if not han:
        return Language.OTHER
    traditional_only, simplified_only = _script_changes(han)
    if traditional_only == simplified_only:
        return default
    return Language.TRADITIONAL if traditional_only > simplified_only else Language.SIMPLIFIED


@lru_cache(maxsize=4)
def _script_changes(han: str) -> tuple[int, int]:
    """How many of the Han characters only Traditional writes (``to_simplified`` changes them) and how many only
    Simplified writes, position by position. Remembered for the last few strings: chunking asks for a document's
    script and then for its first 2,000 characters', the same Han for most documents."""
    simplified = to_simplified(han)
    traditional = to_traditional(han)
    # counted in C (``map`` stops at the shorter text, as ``zip`` did): a Python comparison per character took most
    # of the time left beside OpenCC
    traditional_only = sum(map(ne, han, simplified))
    simplified_only = sum(map(ne, han, traditional)) - _shared_changed(han, traditional)
    return traditional_only, simplified_only


def _shared_changed(han: str, traditional: str) -> int:
    """How many of ``han``'s ``_SHARED_FORMS`` characters ``traditional`` (its conversion) changes, position by
    position over the shorter of the two."""
    found = _SHARED_FORM.finditer(han, 0, min(len(han), len(traditional)))
    return sum(traditional[m.start()] != m.group() for m in found)


def detect_language(text: str, default_chinese: Language = Language.SIMPLIFIED) -> Language:
    """The main language of a text: Korean if Hangul outnumbers Han characters, else the Chinese script."""
    hangul = len(_HANGUL.findall(text))
    han = len(_HAN.findall(text))
    if hangul == 0 and han == 0:
        return Language.OTHER
    if hangul >= han:
        return Language.KOREAN
    return chinese_script(text, default_chinese)


def han_runs(text: str) -> Iterator[tuple[bool, int, int]]:
    """Split text into alternating (is_han, start, end) runs, so each run can go to its own analyser."""
    position = 0
    for match in _HAN_RUN.finditer(text):
        if match.start() > position:
            yield False, position, match.start()
        yield True, match.start(), match.end()
        position = match.end()
    if position < len(text):
        yield False, position, len(text)


def has_hangul(text: str) -> bool:
    """Whether the text holds any Hangul."""
    return _HANGUL.search(text) is not None
