"""Korean Hanja readings: a keyword field where Chinese and Korean text meet, written in Hangul.

Most Korean policy vocabulary is Sino-Korean, so a Chinese word read the Korean way is often the Korean word:
融合經濟發展戰略 → 융합경제발전전략, 物流管理 → 물류관리, 訓練時間 → 훈련시간. This field writes every Han run of a
text as its Korean readings and keeps Hangul as it is, then takes Hangul bigrams of the result.

- Chinese is turned into Traditional (OpenCC ``s2t``) before it is read: the ``hanja`` table reads the
  Simplified forms as other characters (机 궤 but 機 기, 台 태 but 臺 대, 术 출 but 術 술).
- jieba's words mark where a word starts, since the initial-sound rule (두음법칙) changes the reading there:
  勞動 → 노동 but 勤勞 → 근로, 流通 → 유통 but 物流 → 물류.
- Han characters without a reading, digits and Latin words give no terms: the bigram field already matches
  digits and Latin words in every language, and this field stays all Hangul (one script for BM25's IDF).
- The field only bridges the languages (a ``BridgeTokenizer``): a Chinese passage's terms carry
  ``CHINESE_MARK`` (``융합~`` is 融合 read in Korean), a Korean passage's do not; a Korean query asks for the
  marked terms and a Chinese query for the plain ones. Same-language matches would only repeat the bigram
  field for Korean and add homophones (經濟 and 京劑 are both 경제) for Chinese, and, measured on the demo
  corpus, they let Korean passages outscore the Chinese one that answers (see eval/benchmark_crosslingual.py).
- A query's bigrams stay inside its words (Korean: between spaces; Chinese: jieba's words of two characters
  or more, so 的 and 是 give none): read across Chinese word boundaries they are pairs no Korean writes (打電話
  → 타전화: 타전), and as never-seen terms they weighed the query down. A Korean query keeps its particles'
  bigrams (효율이 → 율이): no Chinese passage has them, so a question matched only in a word or two stays weak.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate
from typing import Any

from ..languages import CHINESE, detect_language, han_runs, normalize, to_simplified, to_traditional
from ..records import Language
from .morphemes import jieba_words

OPENCC_CONFIG = "s2t"
CHINESE_MARK = "~"  # ends the terms of Chinese text
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _hanja() -> Any:
    """The ``hanja`` package (its import reads a 27,000-entry table once)."""
    with _lock:
        import hanja
        import hanja.table

    return hanja


@lru_cache(maxsize=1)
def _initial_sound_sensitive() -> frozenset[str]:
    """Characters read with an initial ㄴ or ㄹ: the only ones the initial-sound rule can change."""
    return frozenset(c for c, reading in _hanja().table.hanja_table.items() if (ord(reading) - 0xAC00) // 588 in (2, 5))


@lru_cache(maxsize=16384)
def _read_word(word: str, inside: bool = False) -> str:
    """One word's Korean reading; unread characters kept (cached: words repeat). The initial-sound rule applies
    at its start unless the word is ``inside`` one (after a letter or digit): 年 is 연 alone but 년 in 2021年."""
    if inside:
        return str(_hanja().translate("0" + word, "substitution"))[1:]
    return str(_hanja().translate(word, "substitution"))


def _read_run(run: str, before: str, split: bool) -> list[str]:
    """A Han run's readings, one per jieba word (jieba on the Simplified form, readings of the Traditional);
    unless ``split`` is asked for, a run whose words' starts cannot change a reading is read whole, unsplit."""
    simplified = to_simplified(run)
    traditional = to_traditional(simplified)
    inside = before[-1:].isalnum()
    if not split and _initial_sound_sensitive().isdisjoint(traditional[1:]):
        table = _hanja().table.hanja_table  # no reading after the first can change: look them up
        return [_read_word(traditional[0], inside) + "".join([table.get(c, c) for c in traditional[1:]])]
    words = jieba_words(simplified)
    if len(traditional) != len(simplified):  # OpenCC kept the length in every case seen; read word by word if not
        words = [to_traditional(word) for word in words]
    else:
        ends = accumulate(len(word) for word in words)
        words = [traditional[end - len(word) : end] for word, end in zip(words, ends, strict=True)]
    return [_read_word(word, inside and i == 0) for i, word in enumerate(words)]


def words_read(text: str, split: bool = True) -> list[str]:
    """The text in pieces: each Han run as its words' Korean readings, everything between as it is."""
    pieces: list[str] = []
    for is_han, start, end in han_runs(text):
        pieces.extend(_read_run(text[start:end], text[start - 1 : start], split) if is_han else [text[start:end]])
    return pieces


def readings(text: str) -> str:
    """The text with each Han run written as its Korean readings; everything else unchanged."""
    return "".join(words_read(text, split=False))


def hangul_bigrams(text: str, singles: bool = True) -> list[str]:
    """Bigrams of each run of Hangul syllables, a one-syllable run its own term unless ``singles`` is false."""
    terms: list[str] = []
    for match in _HANGUL_RUN.finditer(text):
        run = match.group()
        if len(run) > 1:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        elif singles:
            terms.append(run)
    return terms


def _terms(normal: str) -> tuple[Language, list[str]]:
    """The language of a normalised text and the Hangul bigrams of its readings."""
    return detect_language(normal), hangul_bigrams(readings(normal))


class ReadingTokenizer:
    """Hangul bigrams of texts read in Korean; queries meet only passages in the other language."""

    name = "readings"

    def describe(self) -> dict[str, str]:
        """Name, the readings table's and OpenCC's versions and config, and jieba's (it marks word starts)."""
        import jieba
        import opencc

        return {
            "name": self.name,
            "hanja": str(getattr(_hanja(), "__version__", "unknown")),
            "opencc": str(getattr(opencc, "__version__", "unknown")),
            "opencc_config": OPENCC_CONFIG,
            "jieba": str(jieba.__version__),
            "mark": CHINESE_MARK,
        }

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Passage terms: Hangul bigrams of the readings, marked for Chinese text."""
        return self.tokenize_normalized([normalize(text) for text in texts])

    def tokenize_normalized(self, texts: Sequence[str]) -> list[list[str]]:
        """``tokenize`` of texts already through ``normalize``."""
        result: list[list[str]] = []
        for text in texts:
            language, terms = _terms(text)
            result.append([term + CHINESE_MARK for term in terms] if language in CHINESE else terms)
        return result

    def tokenize_queries(self, texts: Sequence[str]) -> list[list[str]]:
        """Query terms, bigrams within each word (Korean: between spaces; Chinese: jieba's words of two
        characters or more): a Korean query's marked, to meet Chinese passages; a Chinese query's plain."""
        result: list[list[str]] = []
        for text in texts:
            normal = normalize(text)
            if detect_language(normal) == Language.KOREAN:
                result.append([term + CHINESE_MARK for term in hangul_bigrams(readings(normal), singles=False)])
            else:
                result.append([term for word in words_read(normal) for term in hangul_bigrams(word, singles=False)])
        return result
