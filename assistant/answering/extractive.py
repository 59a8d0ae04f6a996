"""Extractive answers: the sentences of the retrieved passages that most likely contain the answer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..languages import normalize
from ..records import Hit, Passage
from .answer_sentences import ranked_for_answer
from .bridge import bridged_sentence, text_for_korean
from .sentence_scoring import Candidate, QuestionTerms, coverage

_CLAUSE = re.compile(r"[^，、；：,;:]*[，、；：,;:]*")
_WORD = re.compile(r"\S+\s*")


@dataclass(frozen=True, slots=True)
class Extract:
    """A piece of a cited passage: hit number ``n`` (from 1) and ``start``/``end``, its span in the document.

    ``clipped`` is true when the text is a window of a longer sentence that stops before the sentence does.
    """

    n: int
    passage: Passage
    text: str
    start: int
    end: int
    clipped: bool = False


def select_sentences(
    question: str,
    hits: Sequence[Hit],
    *,
    max_sentences: int = 2,
    max_chars: int = 200,
    first: tuple[int, int] | None = None,
) -> list[Extract]:
    """The sentences (or clause windows of long ones) most likely to answer, in reading order, within max_chars.

    ``first`` (hit number, document start) names a sentence to take before all others (the short answer's).
    The other language's best sentence takes one of the ``max_sentences`` places when ``bridge`` says it
    should: first when the question's own language answers poorly, else right after the best sentence.
    """
    if not hits or max_sentences < 1:
        return []
    terms, ranked = ranked_for_answer(question, hits)
    if first is not None:
        ranked.sort(key=lambda c: (c.n, c.start) != first)
    bridged = bridged_sentence(question, terms, ranked, max_sentences)
    if bridged is not None:
        sentence, ahead = bridged
        place = 0 if ahead and first is None else 1
        if ranked.index(sentence) > place:
            ranked.remove(sentence)
            ranked.insert(place, sentence)
    chosen: list[Extract] = []
    budget = max_chars
    for candidate in ranked:
        if len(chosen) == max_sentences or budget <= 0:
            break
        if _repeats(candidate.normal, chosen):
            continue
        extract = _fit(candidate, terms, budget)
        if extract is not None:
            chosen.append(extract)
            budget -= len(extract.text)
    return _reading_order(chosen)


def _repeats(normal: str, chosen: Sequence[Extract]) -> bool:
    """Whether a sentence says again what a chosen one says, or the reverse: two documents (or two cuts of one)
    can hold the same sentence, and an answer that quotes it twice says nothing more."""
    said = [normalize(extract.text) for extract in chosen]
    return any(normal in text or text in normal for text in said)


def _fit(candidate: Candidate, terms: QuestionTerms, budget: int) -> Extract | None:
    """The sentence whole if it fits, else the window of its clauses that fits and covers the question best."""
    text = candidate.text
    if len(text) <= budget:
        return Extract(candidate.n, candidate.passage, text, candidate.start, candidate.end)
    pieces = _pieces(text, budget)
    best: tuple[float, int, int, int] | None = None  # (coverage, length, start, end): the latest of the best
    for i, (first, _) in enumerate(pieces):
        for _, last in pieces[i:]:
            if last - first > budget:
                break
            window = normalize(text[first:last])
            if terms.korean:
                window = text_for_korean(window, candidate.passage.language)
            value = (coverage(terms, window), last - first, first, last)
            if best is None or value[:3] > best[:3]:
                best = value
    if best is None:
        return None
    first, last = best[2], best[3]
    while first < last and text[first].isspace():
        first += 1
    while last > first and text[last - 1].isspace():
        last -= 1
    if first == last:
        return None
    start = candidate.start + first
    cut_short = last < len(text.rstrip())
    return Extract(candidate.n, candidate.passage, text[first:last], start, start + last - first, cut_short)


def _pieces(text: str, budget: int) -> list[tuple[int, int]]:
    """Spans of the text's clauses; a clause longer than the budget is cut at spaces, or else by length."""
    pieces: list[tuple[int, int]] = []
    for clause in _CLAUSE.finditer(text):
        start, end = clause.span()
        if end - start <= budget:
            if end > start:
                pieces.append((start, end))
            continue
        words = [w.span() for w in _WORD.finditer(text, start, end)]
        if len(words) > 1 and all(b - a <= budget for a, b in words):
            pieces.extend(words)
        else:
            step = max(budget // 2, 1)
            pieces.extend((a, min(a + step, end)) for a in range(start, end, step))
    return pieces


def _reading_order(chosen: list[Extract]) -> list[Extract]:
    """Documents in the order their best extract was chosen; within a document, text order."""
    rank: dict[str, int] = {}
    for extract in chosen:
        rank.setdefault(extract.passage.document_id, len(rank))
    return sorted(chosen, key=lambda e: (rank[e.passage.document_id], e.start))
