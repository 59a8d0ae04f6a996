"""Sentence boundaries as character spans: kiwipiepy for Korean, punctuation rules for Chinese and the rest."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .kiwi import shared_kiwi

Span = tuple[int, int]

# A sentence ends at CJK or Latin terminal punctuation (plus closing quotes/brackets), or at a line end.
_CJK_END = re.compile(r"[^。！？!?；;…\n]*(?:[。！？!?；;…]+[」』”’\"'）)\]】]*|\n|$)")
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
    if not texts:
        return []
    kiwi = shared_kiwi()
    results = kiwi.split_into_sents(list(texts)) if len(texts) > 1 else [kiwi.split_into_sents(texts[0])]
    spans: list[list[Span]] = []
    for text, offset, sentences in zip(texts, offsets, results, strict=True):
        found = [(offset + s.start, offset + s.end) for s in sentences if text[s.start : s.end].strip()]
        spans.append(found or [(offset, offset + len(text))])
    return spans
