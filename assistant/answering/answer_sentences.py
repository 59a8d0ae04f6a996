"""The sentences most likely to hold the answer itself: the ranking the composer and the short answer read.

``sentence_scoring`` ranks sentences by how much of the question they hold (what answerability judges by).
The answer's own sentence often names only part of what the question says: the rest is in the sentence just
before or after it ("반기문은 … 순방을 하였다. 그는 … 대통령을 만나 …"). So here a question word in a
neighbouring sentence (of the same passage, or of a hit whose passage goes on from it: ``adjacent``) counts for
``NEIGHBOUR`` of a word (more than elsewhere in the document, ``sentence_scoring.CONTEXT``), and a sentence gains
``VALUE`` when it holds a value of the kind asked (a date for 언제/哪一年, a number with the asked unit for
몇 명/多少人) other than the numbers the question gives itself (``question_parts.value_fit``). A weaker hit's
sentences keep ``STANDING`` of their score (less than answerability's ``MIN_STANDING``): the best passage is
far more often the one that answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import pairwise

from ..records import Hit
from .bridge import read_for
from .question_parts import asked_value, value_fit
from .sentence_scoring import (
    _DIGIT,
    NUMBER_CUE,
    Candidate,
    QuestionTerms,
    candidates_of,
    document_floors,
    question_terms,
    read_presence,
)

NEIGHBOUR = 0.3  # how much a question word in the sentence before or after (same passage) counts
VALUE = 0.15  # bonus for a value of the asked kind
STANDING = 0.05  # the weakest hit's sentences keep this share of their score
GAP = 3  # characters between two passages' sentences (spaces, line breaks) that still make them neighbours


def ranked_for_answer(question: str, hits: Sequence[Hit]) -> tuple[QuestionTerms, list[Candidate]]:
    """The question's terms, and the hits' sentences best first by how likely each holds the answer itself.

    The short answer's reader and the composer both read this ranking of one answer's hits: it is made once.
    """
    terms, ranked = _ranked(question, tuple(hits))
    return terms, list(ranked)


@lru_cache(maxsize=16)
def _ranked(question: str, hits: tuple[Hit, ...]) -> tuple[QuestionTerms, tuple[Candidate, ...]]:
    candidates = read_for(question, candidates_of(hits))
    terms = question_terms(question, candidates)
    floors = document_floors(terms, candidates)
    asked = asked_value(question)
    top = (hits[0].score if hits else 0.0) or 1.0
    scores: list[float] = []
    # each sentence's presence of each word, read once: a sentence is also read as its neighbours' context
    held = [presences(terms, c.normal) for c in candidates]
    beside = adjacent(candidates)
    for i, candidate in enumerate(candidates):
        around = [held[j] for j in beside[i]]
        credit = neighbour_floor(terms, floors[candidate.passage.document_id], around)
        covered = sum(w * max(held[i][word], credit[word]) for word, w in terms.weights.items()) / terms.total
        if terms.wants_number and _DIGIT.search(candidate.normal):
            covered += NUMBER_CUE
        standing = min(max(hits[candidate.n - 1].score / top, 0.0), 1.0)
        value = VALUE * value_fit(asked, candidate.normal) if asked is not None else 0.0
        scores.append(covered * (STANDING + (1 - STANDING) * standing) + value)
    # rounded: sums over a set of words differ in the last bits with the hash seed, and so would the order of ties
    order = sorted(range(len(candidates)), key=lambda i: -round(scores[i], 9))
    return terms, tuple(candidates[i] for i in order)


def adjacent(candidates: Sequence[Candidate]) -> list[list[int]]:
    """For each candidate, the candidates just before and after it in its document: the next sentence of the same
    passage, or of another hit's passage that goes on where this one stops (at most ``GAP`` characters apart)."""
    by_document: dict[str, list[int]] = {}
    for i, candidate in enumerate(candidates):
        by_document.setdefault(candidate.passage.document_id, []).append(i)
    beside: list[list[int]] = [[] for _ in candidates]
    for members in by_document.values():
        members.sort(key=lambda i: candidates[i].start)
        for a, b in pairwise(members):
            first, second = candidates[a], candidates[b]
            if first.n == second.n or second.start - first.end <= GAP:
                beside[a].append(b)
                beside[b].append(a)
    return beside


def presences(terms: QuestionTerms, normal: str) -> dict[str, float]:
    """How much of each question word the normalised sentence holds (``read_presence``), read once per sentence."""
    return {word: read_presence(word, normal, terms.readings) for word in terms.weights}


def neighbour_floor(
    terms: QuestionTerms, floor: Mapping[str, float], around: Sequence[Mapping[str, float]]
) -> dict[str, float]:
    """Each question word's credit from elsewhere: the document's (``floor``), or ``NEIGHBOUR`` times its presence
    in the neighbouring sentences (``around``: their ``presences``), whichever is higher."""
    return {
        word: max(floor[word], max((NEIGHBOUR * near[word] for near in around), default=0.0)) for word in terms.weights
    }
