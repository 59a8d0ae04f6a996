"""Sentence boundaries as character spans: kiwipiepy for Korean, punctuation rules for Chinese and the rest."""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from typing import NamedTuple

from .kiwi import shared_kiwi

Span = tuple[int, int]


class Morpheme(NamedTuple):
    """One of kiwi's tokens, its span in the text it was found in."""

    form: str
    tag: str
    start: int
    end: int


# A sentence ends at CJK or Latin terminal punctuation (plus closing quotes/brackets), or at a line end.
_CJK_END = re.compile(r"[^。！？!?；;…\n]*(?:[。！？!?；;…]+[」』”’\"'）)\]】]*|\n|$)")
# Where a long text may be cut before kiwi splits it: after terminal punctuation (and closing marks) and a space.
_SENTENCE_BREAK = re.compile(r"[.!?。！？…][\"'”’)\]」』]*\s+")
KIWI_PIECE = 4000  # characters: longer texts go to kiwi's splitter in pieces

_LATIN_END = re.compile(r".*?(?:[.!?]+[\"')\]]*(?=\s)|\n|$)", re.S)


def _regex_spans(text: str, pattern: re.Pattern[str], offset: int) -> list[Span]:
    spans: list[Span] = []
    for match in pattern.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((offset + start, offset + end))
    return spans


def chinese_sentences(text: str, offset: int = 0) -> list[Span]:
    """Sentences of Chinese (or mixed) text, split after 。！？；… and at line ends."""
    return _regex_spans(text, _CJK_END, offset)


def latin_sentences(text: str, offset: int = 0) -> list[Span]:
    """Sentences of space-separated text, split after . ! ? followed by a space, and at line ends."""
    return _regex_spans(text, _LATIN_END, offset)


def korean_sentences(texts: Sequence[str], offsets: Sequence[int]) -> list[list[Span]]:
    """Sentences of many Korean texts at once, by kiwipiepy's splitter (one batch call)."""
    return korean_sentences_and_morphemes(texts, offsets, frozenset())[0]


def korean_sentences_and_morphemes(
    texts: Sequence[str], offsets: Sequence[int], keep_tags: Set[str]
) -> tuple[list[list[Span]], list[list[Morpheme]]]:
    """Sentences of many Korean texts at once, by kiwipiepy's splitter (one batch call), and the morphemes kiwi
    found on the way whose tag is in ``keep_tags`` (spans offset like the sentences'), so they need no second call.

    kiwi's time grows faster than the length of one text (a 100,000-character paragraph took seconds more than
    its pieces), so a text longer than ``KIWI_PIECE`` is handed over in pieces cut after a sentence end (else at
    a space), and the pieces' sentences are put back together.
    """
    if not texts:
        return [], []
    pieces: list[str] = []
    piece_offsets: list[int] = []
    owner: list[int] = []
    for i, (text, offset) in enumerate(zip(texts, offsets, strict=True)):
        for start, end in cut_long_text(text, KIWI_PIECE):
            pieces.append(text[start:end])
            piece_offsets.append(offset + start)
            owner.append(i)
    kiwi = shared_kiwi()
    with_tokens = bool(keep_tags)
    # no sentences-within-sentences: kiwi finds them in a Python loop over every token, and they are not used
    results = (
        kiwi.split_into_sents(pieces, return_tokens=with_tokens, return_sub_sents=False)
        if len(pieces) > 1
        else [kiwi.split_into_sents(pieces[0], return_tokens=with_tokens, return_sub_sents=False)]
    )
    spans: list[list[Span]] = [[] for _ in texts]
    morphemes: list[list[Morpheme]] = [[] for _ in texts]
    for i, text, offset, sentences in zip(owner, pieces, piece_offsets, results, strict=True):
        spans[i].extend((offset + s.start, offset + s.end) for s in sentences if text[s.start : s.end].strip())
        if with_tokens:
            morphemes[i].extend(
                Morpheme(t.form, t.tag, offset + t.start, offset + t.end)
                for s in sentences
                for t in s.tokens
                if t.tag in keep_tags
            )
    found = [found or [(offset, offset + len(text))] for found, text, offset in zip(spans, texts, offsets, strict=True)]
    return found, morphemes


def cut_long_text(text: str, limit: int) -> list[Span]:
    """Spans of ``text`` of at most ``limit`` characters, cut after the last sentence end in the second half of
    each (else after its last space, else at the limit); the whole text when it is short enough."""
    spans: list[Span] = []
    start = 0
    while len(text) - start > limit:
        half = start + limit // 2
        window = text[half : start + limit]
        ends = [m.end() for m in _SENTENCE_BREAK.finditer(window)]
        if ends:
            cut = half + ends[-1]
        else:
            space = max(window.rfind(" "), window.rfind("\t"))
            cut = half + space + 1 if space >= 0 else start + limit
        spans.append((start, cut))
        start = cut
    spans.append((start, len(text)))
    return spans
