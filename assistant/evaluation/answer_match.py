"""Comparing an answer with gold answers in Korean and Chinese: folding, exact match and character-level F1.

Korean and Chinese are not split into words by spaces the same way (Chinese not at all), so answers are
compared character by character after folding away what does not change the meaning: width and
compatibility forms (NFKC), case, the Traditional/Simplified script, spaces, punctuation, symbols and
citation markers. This is the normalisation of the KorQuAD, CMRC 2018 and DRCD evaluation scripts, with
the two Chinese scripts made equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from ..answering.citations import MARKER
from ..languages import to_simplified


def fold(text: str) -> str:
    """Text as answers are looked for in other text: NFKC, lower case, Simplified script, no spaces or markers."""
    text = MARKER.sub("", text)
    return re.sub(r"\s+", "", to_simplified(unicodedata.normalize("NFKC", text).lower()))


def normalize_answer(text: str) -> str:
    """``fold`` without punctuation and symbols either: the characters an exact match and F1 compare."""
    return "".join(ch for ch in fold(text) if unicodedata.category(ch)[0] not in "PSZC")


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals some normalised gold answer, else 0.0."""
    predicted = normalize_answer(prediction)
    return float(any(predicted == normalize_answer(gold) for gold in golds if normalize_answer(gold)))


def char_f1(prediction: str, golds: Sequence[str]) -> float:
    """The best F1, over the gold answers, of the normalised texts' character multisets."""
    predicted = Counter(normalize_answer(prediction))
    best = 0.0
    for gold in golds:
        expected = Counter(normalize_answer(gold))
        common = sum((predicted & expected).values())
        if common == 0:
            continue
        precision = common / sum(predicted.values())
        recall = common / sum(expected.values())
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


def contains_answer(prediction: str, golds: Sequence[str]) -> bool:
    """Whether some gold answer occurs in the prediction, both folded."""
    folded = fold(prediction)
    return any(fold(gold) and fold(gold) in folded for gold in golds)
