"""The answer to a Chinese why-question: the clause a sentence gives as the reason.

A noun phrase answers 为什么/為何 poorly: the answer is a clause ("由于庙宇三面环山，而且那些山区都是郊野公园范围，
所以…"). The clause is the one after a word that gives a reason (由于, 因为, 因, 为了) up to the word that gives
the outcome (所以, 因此, 故, 而, 导致) or the end of the clause, or else the one before an outcome word
("…认真的性格，网志因而大受欢迎"), or what follows 原因是. "改名为什么" asks a name, not a reason: 为什么 right
after a verb of naming, or ending the question, is 为 + 什么.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..languages import normalize
from .readers import Phrase

_WHY = re.compile(r"为何|何故|(?:什么|甚么)原因|原因(?:是|为)(?:什么|何)|为什么(?![\s?？。!！]*$)")
_NAMING = re.compile(r"[称名成作改定列视分译化变认]为什么")  # 改名为什么, 被称为什么, 成为什么: a name
# what gives a reason: 由于/因为/为了, or 因 alone (not 因此/因而/原因/基因); 原因是 and 以…为由 too
_BECAUSE = re.compile(r"由于|因为|为了|原因是|(?<![原基])因(?![此而素])")
# what gives the outcome: the reason stops before it, else at the end of its clause
_SO = re.compile(r"[，,]?\s*(?:故而|所以|因此|因而|于是|从而|导致|致使|以致|以至|为由|的关系|而(?!且))|[，,]\s*故")
_CLAUSE_END = re.compile(r"[，,。；;!！?？]")
_SENTENCE_END = re.compile(r"[。；;!！?？]")
_BEFORE_SO = re.compile(r"[，,]\s*[^，,。；;]{0,8}?(?:因此|因而|所以|于是|故而)")
MAX_CHARS = 60  # a longer "reason" is a misread sentence
SCORE = 2.0  # what a reason clause scores (a slot reader's sure answer scores from 2.0 too)
READ = 3  # the best sentences looked into for a reason


def asks_reason(question: str) -> bool:
    """Whether the question asks why (为什么, 为何, 什么原因 …), not what something is named (改名为什么)."""
    asked = normalize(question)
    return bool(_WHY.search(asked)) and not _NAMING.search(asked)


def reason_phrase(sentences: Sequence[str]) -> Phrase | None:
    """The reason clause of the best sentence (of the first ``READ``) that gives one, or None."""
    for i, sentence in enumerate(sentences[:READ]):
        normal = normalize(sentence)
        if len(normal) != len(sentence):
            continue
        span = _after_because(normal) or _before_so(normal)
        if span is not None:
            start, end = span
            return Phrase(sentence[start:end], i, start, end, SCORE - 0.5 * i)
    return None


def _after_because(normal: str) -> tuple[int, int] | None:
    """The clause after a reason word, up to the outcome word or the clause's end."""
    for because in _BECAUSE.finditer(normal):
        start = because.end()
        stop = _SENTENCE_END.search(normal, start)
        limit = stop.start() if stop else len(normal)
        outcome = _SO.search(normal, start, limit) or _CLAUSE_END.search(normal, start, limit)
        end = outcome.start() if outcome else limit
        span = _stripped(normal, start, end)
        if span is not None:
            return span
    return None


def _before_so(normal: str) -> tuple[int, int] | None:
    """The clause before a comma and an outcome word ("…的性格，网志因而大受欢迎")."""
    outcome = _BEFORE_SO.search(normal)
    if outcome is None:
        return None
    start = max(normal.rfind(mark, 0, outcome.start()) for mark in "，,。；;") + 1
    return _stripped(normal, start, outcome.start())


def _stripped(normal: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without spaces or punctuation at its edges; None when it is empty or too long to be a reason."""
    while start < end and not normal[start].isalnum():
        start += 1
    while end > start and not normal[end - 1].isalnum():
        end -= 1
    return (start, end) if 1 < end - start <= MAX_CHARS else None
