"""The answering phrase chosen by fitted weights: each candidate (``phrase_features``) scores the sum of its
features times their weights, and the best-scoring one is the answer.

The weights are fitted, one set for phrases of Korean sentences and one for Chinese, by
``eval/fit_phrase_ranker.py`` (a conditional logit: among one question's candidates, the one that matches a
gold answer best should score highest) on the first half of each public dev set (KorQuAD 1.0, DRCD, CMRC
2018); the second halves are kept apart to report on. They are parameters, no text of the sets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from ..languages import has_hangul
from .phrase_features import PhraseCandidate, phrase_candidates
from .readers import Phrase

WEIGHTS = Path(__file__).with_name("phrase_weights.json")
GROUPS = ("korean", "chinese")  # a candidate is weighed by its sentence's language


@lru_cache(maxsize=1)
def fitted_weights() -> dict[str, dict[str, float]]:
    """The fitted weights of each group, read once from ``phrase_weights.json``."""
    table = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    return {group: {name: float(value) for name, value in table[group].items()} for group in GROUPS}


def group_of(sentence: str) -> str:
    """Which weights a sentence's phrases are scored with."""
    return "korean" if has_hangul(sentence) else "chinese"


def score(candidate: PhraseCandidate, weights: Mapping[str, float]) -> float:
    """The candidate's features times their weights (a feature without a weight counts for nothing)."""
    return sum(weights.get(name, 0.0) * value for name, value in candidate.features.items())


def best_phrase(question: str, sentences: Sequence[str]) -> Phrase | None:
    """The best-scoring candidate phrase of the sentences (best first), or None when they have none."""
    table = fitted_weights()
    best: Phrase | None = None
    for candidate in phrase_candidates(question, sentences):
        value = score(candidate, table[group_of(sentences[candidate.sentence])])
        if best is None or value > best.score:
            best = Phrase(candidate.text, candidate.sentence, candidate.start, candidate.end, value)
    return best
