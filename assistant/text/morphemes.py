"""Word-level terms: Korean morphemes from kiwipiepy, Chinese words from jieba, Latin words as they are.

Text is split into script runs first, so a Korean passage quoting Han characters, or a Chinese
passage naming "MSIT", sends each part to the analyser that understands it. Chinese is folded to
Simplified before jieba (its dictionary is Simplified), so both scripts meet on the same terms.

A tokenizer built with a ``UserDictionary`` keeps its words whole: kiwi and jieba analysers with those words are
built once per dictionary and shared (jieba's module-level functions are process-global, so a dictionary gets its
own ``jieba.Tokenizer`` instead of changing them). Other users of kiwi and jieba (phrase rules, question words,
citation checks) use the analysers without user words.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..languages import han_runs, has_hangul, normalize
from .dictionaries import UserDictionary, UserWord
from .kiwi import analyse, default_words, kiwi_version, multi_words
from .sentences import Morpheme

# Content-bearing kiwi tags: nouns, numerals, verb/adjective stems, roots, adverbs, foreign words, numbers.
CONTENT_TAGS = frozenset(
    {"NNG", "NNP", "NR", "VV", "VA", "XR", "MAG", "SL", "SN", "SH", "VV-R", "VV-I", "VA-R", "VA-I"}
)
_WORD = re.compile(r"\w+")
MULTI_WORDS_KEY = "kiwi_multi_words"  # in ``describe()`` when kiwi's multi-word dictionary is off
DEFAULT_WORDS_KEY = "kiwi_default_words"  # in ``describe()`` when kiwi's default dictionary of names is off
_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        jieba.initialize()
    return jieba


@lru_cache(maxsize=1)
def jieba_tagger() -> Any:
    """jieba's part-of-speech tagger (``jieba.posseg``) over the shared dictionary.

    Its import reads the dictionary file again into a word → tag table of fresh strings (349k words, 53 MB); the
    table is rebuilt here on the dictionary's own word strings (those of the tokenizer's ``FREQ``) with one string
    per tag: the same mapping, so the same tags, in 27 MB."""
    jieba = _jieba()
    with _jieba_lock:
        import jieba.posseg as posseg

        table: dict[str, str] = posseg.dt.word_tag_tab
        tags: dict[str, str] = {}
        shared = {word: tags.setdefault(tag, tag) for word in jieba.dt.FREQ if (tag := table.get(word)) is not None}
        if len(shared) != len(table):  # words the tokenizer does not hold (none with jieba's own dictionary)
            for word, tag in table.items():
                shared.setdefault(word, tags.setdefault(tag, tag))
        posseg.dt.word_tag_tab = shared
    return posseg


@lru_cache(maxsize=4)
def _jieba_with(words: tuple[UserWord, ...]) -> Any:
    """A ``jieba.Tokenizer`` that knows ``words`` too (the global one when there are none); one per dictionary."""
    jieba = _jieba()
    if not words:
        return jieba
    tokenizer = jieba.Tokenizer()
    with _jieba_lock:
        tokenizer.initialize()
    for word in words:
        weight = None if word.weight is None else int(word.weight)
        tokenizer.add_word(normalize(word.word), weight, word.tag or None)
    return tokenizer


def jieba_words(run: str, words: tuple[UserWord, ...] = ()) -> list[str]:
    """jieba's words of one Han run (already normalised), in order, covering the run; ``words`` are kept whole."""
    return list(_cut(run, words))


@lru_cache(maxsize=1 << 15)
def _cut(run: str, words: tuple[UserWord, ...]) -> tuple[str, ...]:
    """jieba's cut, remembered: a passage's title and its overlap with the passage before repeat its Han runs, and
    jieba is pure Python."""
    return tuple(_jieba_with(words).cut(run))


def _joined(terms: list[str], parts: Sequence[str | int], korean_terms: Sequence[list[str]]) -> list[str]:
    """``terms`` extended by ``parts`` in order, an int standing for that Korean run's terms in ``korean_terms``."""
    for part in parts:
        if isinstance(part, int):
            terms.extend(korean_terms[part])
        else:
            terms.append(part)
    return terms


@lru_cache(maxsize=1 << 16)
def _normal_form(form: str) -> str:
    """``normalize`` of one of kiwi's forms, remembered (a few thousand forms make most of a corpus)."""
    return normalize(form)


class MorphemeTokenizer:
    """Korean morphemes + Chinese words + Latin/number words, all normalised."""

    name = "morphemes"
    uses_dictionary = True

    def __init__(self, dictionary: UserDictionary | None = None) -> None:
        self.dictionary = dictionary or UserDictionary()

    def describe(self) -> dict[str, str]:
        """Name, analyser versions, and the user dictionary when there is one."""
        import jieba
        import opencc

        description = {
            "name": self.name,
            "kiwipiepy": kiwi_version(),
            "jieba": str(jieba.__version__),
            "opencc": str(getattr(opencc, "__version__", "unknown")),
            "tags": ",".join(sorted(CONTENT_TAGS)),
            # where an index's Korean passage terms come from (see ``indexing.analysis``): kiwi's one pass over
            # each line in the sentence split, or (Korean user words, which the split does not know) each passage
            "korean_passages": "per passage" if self.dictionary.korean else "sentence split",
        }
        if not multi_words():  # recorded only when off: indexes from before the setting were built with it on
            description[MULTI_WORDS_KEY] = "off"
        if not default_words():  # likewise
            description[DEFAULT_WORDS_KEY] = "off"
        if self.dictionary:
            description["user_dictionary"] = self.dictionary.describe()
        return description

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Terms of each text; Korean runs of all texts go to kiwi in one batch."""
        return self.tokenize_normalized([normalize(text) for text in texts])

    def tokenize_normalized(self, texts: Sequence[str]) -> list[list[str]]:
        """Terms of each text already through ``normalize``."""
        pieces: list[list[str | int]] = []  # per text: words, or an int pointing into korean_runs
        korean_runs: list[str] = []
        for normal in texts:
            parts: list[str | int] = []
            for is_han, start, end in han_runs(normal):
                run = normal[start:end]
                if is_han:
                    chinese = self.dictionary.chinese
                    parts.extend(word for word in jieba_words(run, chinese) if _WORD.fullmatch(word))
                elif has_hangul(run):
                    parts.append(len(korean_runs))
                    korean_runs.append(run)
                else:
                    parts.extend(_WORD.findall(run))
            pieces.append(parts)
        korean_terms = self._korean(korean_runs)
        return [_joined([], parts, korean_terms) for parts in pieces]

    def tokenize_analysed(
        self,
        heads: Sequence[str],
        texts: Sequence[str],
        morphemes: Sequence[Sequence[Morpheme]],
        offsets: Sequence[int],
        normal: Sequence[str] | None = None,
    ) -> list[list[str]]:
        """Terms of each ``head + text``, the text's Korean terms taken from ``morphemes`` (kiwi's content tokens
        of it, e.g. from the sentence split, spans where the text starts at its offset) instead of a second kiwi
        call. Heads, texts without Hangul or whose length ``normalize`` changes, and Korean runs that NFKC changes
        (kiwi misreads full-width letters) are tokenised as ``tokenize`` would. Only for a tokenizer without Korean
        user words (the sentence split knows none). ``normal``: each ``normalize(head + text)``, when the caller has
        them (a Chinese passage is not converted to Simplified twice)."""
        distinct = list(dict.fromkeys(heads))
        head_terms = dict(zip(distinct, self.tokenize(distinct), strict=True))
        pieces: list[list[str | int] | None] = []  # per text: terms, or ints pointing into anew; None: whole
        anew: list[str] = []
        whole: list[str] = []
        for i, (head, text, found, offset) in enumerate(zip(heads, texts, morphemes, offsets, strict=True)):
            normal_text = normalize(text)
            if not has_hangul(normal_text) or len(normal_text) != len(text):
                pieces.append(None)
                whole.append(normalize(head + text) if normal is None else normal[i])
                continue
            parts: list[str | int] = []
            starts = [m.start - offset for m in found]
            for is_han, start, end in han_runs(normal_text):
                run = normal_text[start:end]
                if is_han:
                    parts.extend(word for word in jieba_words(run, self.dictionary.chinese) if _WORD.fullmatch(word))
                elif not has_hangul(run):
                    parts.extend(_WORD.findall(run))
                elif not unicodedata.is_normalized("NFKC", text[start:end]):
                    parts.append(len(anew))
                    anew.append(run)
                else:
                    parts.extend(
                        _normal_form(m.form)
                        for m in found[bisect_left(starts, start) : bisect_left(starts, end)]
                        if m.end - offset <= end and m.tag in CONTENT_TAGS
                    )
            pieces.append(parts)
        anew_terms = self._korean(anew)
        whole_terms = iter(self.tokenize_normalized(whole))
        return [
            next(whole_terms) if taken is None else _joined(list(head_terms[head]), taken, anew_terms)
            for head, taken in zip(heads, pieces, strict=True)
        ]

    def _korean(self, runs: list[str]) -> list[list[str]]:
        analysed = analyse(runs, self.dictionary.korean)
        return [[token.form for token in tokens if token.tag in CONTENT_TAGS] for tokens in analysed]
