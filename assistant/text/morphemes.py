"""Word-level terms: Korean morphemes from kiwipiepy, Chinese words from jieba, Latin words as they are.

Text is split into script runs first, so a Korean passage quoting Han characters, or a Chinese
passage naming "MSIT", sends each part to the analyser that understands it. Chinese is folded to
Simplified before jieba (its dictionary is Simplified), so both scripts meet on the same terms.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..languages import han_runs, has_hangul, normalize
from .kiwi import analyse, kiwi_version

# Content-bearing kiwi tags: nouns, numerals, verb/adjective stems, roots, adverbs, foreign words, numbers.
CONTENT_TAGS = frozenset(
    {"NNG", "NNP", "NR", "VV", "VA", "XR", "MAG", "SL", "SN", "SH", "VV-R", "VV-I", "VA-R", "VA-I"}
)
_WORD = re.compile(r"\w+")
_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        jieba.initialize()
    return jieba


def jieba_words(run: str) -> list[str]:
    """jieba's words of one Han run (already normalised), in order, covering the run."""
    return list(_jieba().cut(run))


class MorphemeTokenizer:
    """Korean morphemes + Chinese words + Latin/number words, all normalised."""

    name = "morphemes"

    def describe(self) -> dict[str, str]:
        """Name and analyser versions."""
        import jieba
        import opencc

        return {
            "name": self.name,
            "kiwipiepy": kiwi_version(),
            "jieba": str(jieba.__version__),
            "opencc": str(getattr(opencc, "__version__", "unknown")),
            "tags": ",".join(sorted(CONTENT_TAGS)),
        }

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Terms of each text; Korean runs of all texts go to kiwi in one batch."""
        pieces: list[list[str | int]] = []  # per text: words, or an int pointing into korean_runs
        korean_runs: list[str] = []
        for text in texts:
            normal = normalize(text)
            parts: list[str | int] = []
            for is_han, start, end in han_runs(normal):
                run = normal[start:end]
                if is_han:
                    parts.extend(word for word in jieba_words(run) if _WORD.fullmatch(word))
                elif has_hangul(run):
                    parts.append(len(korean_runs))
                    korean_runs.append(run)
                else:
                    parts.extend(_WORD.findall(run))
            pieces.append(parts)
        korean_terms = self._korean(korean_runs)
        result: list[list[str]] = []
        for parts in pieces:
            terms: list[str] = []
            for part in parts:
                if isinstance(part, int):
                    terms.extend(korean_terms[part])
                else:
                    terms.append(part)
            result.append(terms)
        return result

    @staticmethod
    def _korean(runs: list[str]) -> list[list[str]]:
        return [[token.form for token in tokens if token.tag in CONTENT_TAGS] for tokens in analyse(runs)]
