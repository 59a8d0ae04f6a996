"""Citation markers in an answer: parse them, check each cited sentence against its passage, repair what is off.

Markers may be written ``[1]``, ``【1】``, ``［1］`` or ``[1, 2]``. A sentence is supported by a passage when
enough of its terms (content morphemes and character bigrams, script-folded) occur in the passage; sentences
a document addresses to the assistant (``injections``) support nothing. The rules:

- a number that names no passage (``[9]`` of five) is dropped and its sentence is flagged: the model cited a
  source it was not given, so no other passage is put in its place;
- a cited passage that does not support its sentence is dropped when another cited passage does, and kept but
  flagged when none does (the reader sees what the model claimed);
- a sentence without any marker (a whole answer without citations, too) is checked against every passage and
  gets the marker of the one that supports it best (``attached``), or stays flagged without one;
- sentences that claim nothing (``claims``: greetings, lead-in lines, "the documents do not say", our own
  texts) are not checked.

An answer is grounded when it holds at least one claim and no sentence is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass

from ..languages import normalize
from ..records import Citation, Hit, Passage
from ..shared.recent import Recent
from ..text.bigrams import bigrams
from ..text.tokenizers import TOKENIZERS
from .claims import is_claim
from .injections import is_instruction
from .sentence_scoring import sentence_spans

_NUMBERS = r"(\d+(?:\s*[,，、]\s*\d+)*)"
MARKER = re.compile(rf"\s?(?:\[{_NUMBERS}\]|【{_NUMBERS}】|［{_NUMBERS}］)")
# A claim ends after terminal punctuation (then a space, CJK text or the end) or at a line break.
_SENTENCE = re.compile(r".*?(?:[。！？…]+[」』”’）)]*|[.!?]+[\"'”’)]*(?=\s|$)|\n|$)", re.S)
_CJK_TAIL = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]$")


@dataclass(frozen=True, slots=True)
class Claim:
    """One sentence of an answer and the passage numbers it ends up citing.

    ``supported`` false flags the sentence; ``dropped`` are the numbers it cited that name no passage;
    ``attached`` means its marker was ours, not the model's; ``checked`` is false for a sentence that claims
    nothing (a greeting, a lead-in line).
    """

    text: str
    cited: tuple[int, ...]
    supported: bool
    attached: bool = False
    dropped: tuple[int, ...] = ()
    checked: bool = True


@dataclass(frozen=True, slots=True)
class Grounding:
    """The repaired answer text, its citations, and how well the original markers held up."""

    text: str
    citations: tuple[Citation, ...]
    claims: tuple[Claim, ...]
    grounded: bool
    markers_checked: int
    markers_supported: int


def parse_markers(text: str) -> tuple[str, list[tuple[int, list[int]]]]:
    """The text without markers, and each marker's offset in that text with the numbers it names."""
    parts: list[str] = []
    markers: list[tuple[int, list[int]]] = []
    length = 0
    last = 0
    for match in MARKER.finditer(text):
        chunk = text[last : match.start()]
        parts.append(chunk)
        length += len(chunk)
        numbers_text = next(group for group in match.groups() if group is not None)
        markers.append((length, [int(n) for n in re.split(r"\s*[,，、]\s*", numbers_text)]))
        last = match.end()
    parts.append(text[last:])
    return "".join(parts), markers


def split_claims(text: str, breaks: Sequence[int] = ()) -> list[tuple[int, int]]:
    """Sentence spans of an answer text (without markers), trailing whitespace excluded.

    ``breaks`` are offsets where a marker stood: a marker followed by more words ends a claim too.
    """
    pieces: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        for offset in breaks:
            if start < offset < end and any(ch.isalnum() for ch in text[offset:end]):
                pieces.append((start, offset))
                start = offset
        pieces.append((start, end))
    spans = []
    for start, end in pieces:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


# Term sets a checker keeps (least recently used out): the passages of an index and their sentences come back with
# every answer that cites them, and tokenising them (kiwi over whole passages) was a third of an extractive answer's
# CPU. A 400-character passage's set takes about 20 kB, so at most ~40 MB.
TERMS_KEPT = 2048


class SupportChecker:
    """Measures how much of a sentence a passage contains, on morphemes and bigrams of script-folded text."""

    def __init__(self, kept: int = TERMS_KEPT) -> None:
        self._morphemes = TOKENIZERS.create("morphemes")
        # answers are checked on the event loop and in worker threads: ``Recent`` is thread-safe
        self._known: Recent[frozenset[str]] = Recent(kept)

    def terms(self, texts: Sequence[str]) -> list[frozenset[str]]:
        """The term set of each text (a text's terms depend on that text alone, so they are remembered)."""
        found = self._known.many(texts, self._analysed)
        return [found[text] for text in texts]

    def _analysed(self, texts: list[str]) -> list[frozenset[str]]:
        morphemes = self._morphemes.tokenize(texts)
        return [frozenset(m).union(bigrams(normalize(t))) for t, m in zip(texts, morphemes, strict=True)]

    @staticmethod
    def coverage(claim: Set[str], passage: Set[str]) -> float:
        """Share of the claim's terms found in the passage."""
        return len(claim & passage) / len(claim) if claim else 0.0


def ground(
    answer: str, hits: Sequence[Hit], threshold: float, checker: SupportChecker, ours: Sequence[str] = ()
) -> Grounding:
    """Verify and repair the citations of a model's answer against the passages it was given.

    ``ours`` are texts of our own that may stand in the answer (the not-found text): they claim nothing.
    """
    stripped, markers = parse_markers(answer)
    spans = split_claims(stripped, [offset for offset, _ in markers])
    cited: list[list[int]] = [[] for _ in spans]
    dropped: list[list[int]] = [[] for _ in spans]
    checked = 0
    for offset, numbers in markers:
        owner = next((i for i, (_, end) in enumerate(spans) if end >= offset), len(spans) - 1)
        if owner < 0:
            continue
        for n in numbers:
            checked += 1
            if not 1 <= n <= len(hits):
                dropped[owner].append(n)
            elif n not in cited[owner]:
                cited[owner].append(n)
    texts = [stripped[start:end] for start, end in spans]
    support = _Support(texts, hits, checker)
    claims = [
        _check(i, text, tuple(numbers), tuple(bad), support, threshold, ours)
        for i, (text, numbers, bad) in enumerate(zip(texts, cited, dropped, strict=True))
    ]
    # the numbers each sentence ends up citing that back it (a sentence that claims nothing is not checked)
    backing = [
        {n for n in claim.cited if not claim.checked or support.score(i, n) >= threshold}
        for i, claim in enumerate(claims)
    ]
    supported_markers = sum(len(set(numbers) & backing[i]) for i, numbers in enumerate(cited) if claims[i].checked)
    citations = tuple(
        Citation(n, hits[n - 1].passage, *support.span(n, claims), hits[n - 1].score, any(n in b for b in backing))
        for n in sorted({n for claim in claims for n in claim.cited})
    )
    text = _rebuild(stripped, spans, claims)
    grounded = any(claim.checked for claim in claims) and all(claim.supported for claim in claims)
    return Grounding(text, citations, tuple(claims), grounded, checked, supported_markers)


def _check(
    i: int,
    text: str,
    numbers: tuple[int, ...],
    dropped: tuple[int, ...],
    support: _Support,
    threshold: float,
    ours: Sequence[str],
) -> Claim:
    """The verdict on sentence ``i``, which cited ``numbers`` (and ``dropped``, numbers naming no passage)."""
    if dropped:  # a source it was not given: flagged, whatever else it cites; nothing is put in its place
        good = tuple(n for n in numbers if support.score(i, n) >= threshold)
        return Claim(text, good or numbers, supported=False, dropped=dropped, checked=is_claim(text, ours))
    if not is_claim(text, ours):
        return Claim(text, numbers, supported=True, checked=False)
    good = tuple(n for n in numbers if support.score(i, n) >= threshold)
    if good:
        return Claim(text, good, supported=True)
    if numbers:  # the model's own citation is wrong: kept so the reader sees it, and flagged
        return Claim(text, numbers, supported=False)
    best = support.best(i)
    if best is not None and support.score(i, best) >= threshold:
        return Claim(text, (best,), supported=True, attached=True)
    return Claim(text, (), supported=False)


class _Support:
    """Support scores of claims by passages, with a verbatim fast path and term sets computed only if needed."""

    def __init__(self, claims: Sequence[str], hits: Sequence[Hit], checker: SupportChecker) -> None:
        self.claims = [normalize(text) for text in claims]
        self.hits = hits
        self.texts = [_without_instructions(hit.passage) for hit in hits]
        self.passages = [normalize(text) for text in self.texts]
        self.checker = checker
        self._claim_terms: list[frozenset[str]] | None = None
        self._passage_terms: list[frozenset[str]] | None = None

    def _verbatim(self, i: int, n: int) -> bool:
        return self.claims[i].rstrip("。.!?！？") in self.passages[n - 1]

    def _terms(self) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
        if self._claim_terms is None or self._passage_terms is None:
            terms = self.checker.terms([*self.claims, *self.texts])
            self._claim_terms, self._passage_terms = terms[: len(self.claims)], terms[len(self.claims) :]
        return self._claim_terms, self._passage_terms

    def score(self, i: int, n: int) -> float:
        """Share of claim ``i`` found in passage ``n`` (1 when it is quoted verbatim)."""
        if self._verbatim(i, n):
            return 1.0
        claim_terms, passage_terms = self._terms()
        return self.checker.coverage(claim_terms[i], passage_terms[n - 1])

    def best(self, i: int) -> int | None:
        """The passage number that supports claim ``i`` best."""
        if not self.hits:
            return None
        return max(range(1, len(self.hits) + 1), key=lambda n: self.score(i, n))

    def span(self, n: int, claims: Sequence[Claim]) -> tuple[int, int]:
        """Document span of the passage-``n`` sentence that best supports the claims citing it."""
        passage = self.hits[n - 1].passage
        citing = [i for i, claim in enumerate(claims) if n in claim.cited]
        normalized = self.passages[n - 1]
        same_offsets = len(normalized) == len(passage.text)
        for i in citing if same_offsets else ():
            found = normalized.find(self.claims[i].rstrip("。.!?！？")) if self._verbatim(i, n) else -1
            if found >= 0:
                return passage.start + found, passage.start + found + len(self.claims[i].rstrip("。.!?！？"))
        text = self.texts[n - 1]
        sentences = split_claims(text) or [(0, len(text))]
        if not citing or len(sentences) == 1:
            return passage.start, passage.end
        claim_terms, _ = self._terms()
        sentence_terms = self.checker.terms([text[s:e] for s, e in sentences])
        scores = [max(self.checker.coverage(claim_terms[i], terms) for i in citing) for terms in sentence_terms]
        start, end = sentences[max(range(len(sentences)), key=scores.__getitem__)]
        return passage.start + start, passage.start + end


def _without_instructions(passage: Passage) -> str:
    """The passage text with each sentence addressed to the assistant blanked out (offsets unchanged)."""
    text = passage.text
    for start, end in sentence_spans(passage):
        a, b = start - passage.start, end - passage.start
        if is_instruction(text[a:b]):
            text = text[:a] + " " * (b - a) + text[b:]
    return text


def _rebuild(stripped: str, spans: Sequence[tuple[int, int]], claims: Sequence[Claim]) -> str:
    """The answer text with each claim's markers normalised to ``[n]`` right after the sentence."""
    parts: list[str] = []
    last = 0
    for (start, end), claim in zip(spans, claims, strict=True):
        parts.append(stripped[last:end])
        if claim.cited:
            marks = "".join(f"[{n}]" for n in sorted(claim.cited))
            parts.append(marks if _CJK_TAIL.search(stripped[start:end]) else f" {marks}")
        last = end
    parts.append(stripped[last:])
    return "".join(parts).strip()
