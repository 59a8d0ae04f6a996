"""User dictionaries: words the analysers should keep whole (product names, people, agencies).

One UTF-8 file per language, named in the settings (``dictionary.korean``, ``dictionary.chinese``). One entry a
line: the word, then optionally a part-of-speech tag and a number, in either order; ``#`` starts a comment::

    # Korean (kiwi): TAG is NNP unless given; the number is kiwi's score (0 unless given)
    누리콘솔
    한빛누리앱 NNP
    # Chinese (jieba): the number is the word's frequency (by default just enough to keep it whole)
    鸿蒙智行
    欧阳娜娜 nr 2000

Chinese words may be written in either script: they are folded to Simplified like the text they match.
The dictionaries decide the keyword terms, so their checksum goes into the index manifest (through the
morpheme tokenizer's description) and a changed dictionary asks for a rebuild.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigurationError
from ..languages import han_runs, has_hangul
from ..settings import DictionarySettings

KOREAN_TAGS = frozenset({"NNP", "NNG", "NR", "XR", "MAG", "VV", "VA"})
"""Tags a Korean user word may have: kiwi's content tags (the keyword side keeps only those)."""
_CHINESE_TAG = re.compile(r"[a-z]{1,4}")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class UserWord:
    """One dictionary entry; ``where`` (file and line) is only for messages."""

    word: str
    tag: str = ""
    weight: float | None = None
    where: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class UserDictionary:
    """The Korean and Chinese user words in force."""

    korean: tuple[UserWord, ...] = ()
    chinese: tuple[UserWord, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.korean or self.chinese)

    def checksum(self) -> str:
        """SHA-256 of the entries (comments, blank lines and line order of equal entries aside)."""
        entries = {
            language: sorted({json.dumps([w.word, w.tag, w.weight], ensure_ascii=False) for w in words})
            for language, words in (("ko", self.korean), ("zh", self.chinese))
        }
        return hashlib.sha256(json.dumps(entries, ensure_ascii=False).encode()).hexdigest()

    def describe(self) -> str:
        """What the manifest records: the word counts and the checksum, e.g. ``ko 2 words, zh 1 word, sha256 …``."""
        return f"ko {_words(len(self.korean))}, zh {_words(len(self.chinese))}, sha256 {self.checksum()[:16]}"


def load_dictionary(settings: DictionarySettings) -> UserDictionary:
    """The user dictionary the settings name (empty when they name none)."""
    return UserDictionary(
        korean=read_words(settings.korean, "korean") if settings.korean else (),
        chinese=read_words(settings.chinese, "chinese") if settings.chinese else (),
    )


def read_words(path: Path, language: str) -> tuple[UserWord, ...]:
    """The entries of one dictionary file; ``ConfigurationError`` naming the file (and line) when unusable."""
    setting = f"ASSISTANT_DICTIONARY__{language.upper()}"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise ConfigurationError(
            f"The {language} user dictionary '{path}' does not exist; create it or unset {setting}."
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"Cannot read the {language} user dictionary '{path}' as UTF-8 ({error}).") from error
    return parse_words(text, str(path), language)


def parse_words(text: str, path: str, language: str) -> tuple[UserWord, ...]:
    """Entries of a dictionary's text (``language``: 'korean' or 'chinese')."""
    words: list[UserWord] = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split("#", 1)[0].split()
        if fields:
            words.append(_entry(fields, f"{path}, line {number}", language))
    return tuple(words)


def _entry(fields: list[str], where: str, language: str) -> UserWord:
    word, *rest = fields
    tag, weight = "", None
    for part in rest:
        if _NUMBER.fullmatch(part) and weight is None:
            weight = float(part)
        elif not tag and not _NUMBER.fullmatch(part):
            tag = part
        else:
            raise ConfigurationError(f"{where}: expected 'word [TAG] [number]', got '{' '.join(fields)}'.")
    if language == "korean":
        return _korean(word, tag, weight, where)
    return _chinese(word, tag, weight, where)


def _korean(word: str, tag: str, weight: float | None, where: str) -> UserWord:
    if not has_hangul(word) or any(is_han for is_han, _, _ in han_runs(word)):
        raise ConfigurationError(
            f"{where}: '{word}' is not a Korean word (it needs Hangul and no Han characters; "
            "put Chinese words in the Chinese dictionary)."
        )
    tag = tag.upper() or "NNP"
    if tag not in KOREAN_TAGS:
        raise ConfigurationError(f"{where}: unknown tag '{tag}'; use one of {', '.join(sorted(KOREAN_TAGS))}.")
    return UserWord(word, tag, weight, where)


def _chinese(word: str, tag: str, weight: float | None, where: str) -> UserWord:
    if list(han_runs(word)) != [(True, 0, len(word))]:
        raise ConfigurationError(
            f"{where}: '{word}' is not a Chinese word (only Han characters reach jieba; Latin words and numbers "
            "are kept whole without a dictionary)."
        )
    if tag and not _CHINESE_TAG.fullmatch(tag):
        raise ConfigurationError(f"{where}: '{tag}' is not a jieba tag (1–4 lower-case letters, such as nz or nr).")
    if weight is not None and (weight < 1 or weight != int(weight)):
        raise ConfigurationError(f"{where}: the frequency must be a whole number of at least 1, not {weight:g}.")
    return UserWord(word, tag, weight, where)


def _words(count: int) -> str:
    return f"{count} word" if count == 1 else f"{count} words"
