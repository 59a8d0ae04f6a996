"""Question-word slots: the words of a sentence that stand where the question word stands in the question.

A question is most often its answering sentence with the answer swapped for a question word ("云岭茶园主要出产
什么茶" for "云岭茶园主要出产绿茶", "경희대 내 어디" for "경희대학교 학생회관 계단"). So the question's content
words are lined up around its question word (언제/몇/누구/어디/무엇/어느, 何時/多少/幾/誰/哪裡/哪個/什麼 …):
the ones just before it and just after it are looked for in the sentence, and the phrase between (or next to)
them is most likely the answer, extended to the head noun the question word asks about ("什么茶" → "绿茶",
"어느 대통령" → "로널드 레이건 대통령"). A question that ends in its question word or has none ("…파견된
인물은?") asks about its last noun, and its answer stands beside the words that describe it. Here are the
slot itself, the cuts of a candidate phrase where a word of the question stands inside it, and how closely
the words stand on a phrase's two sides: ``phrase_features`` turns them into the features the ranker weighs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..languages import normalize
from .phrase_rules import (
    Span,
    question_kind,
)
from .sentence_scoring import content_words

# Question words, normalised (lower case, Simplified); longer ones first so "什么时候" wins over "什么".
QUESTION_WORD = re.compile(
    r"什么时候|什么|甚么|何时|何处|何地|何人|哪一?[个年天位种国座所家些里儿]?|谁|几|多少|多久|多长|多大|多高|"
    r"무엇|무슨|누구|누가|언제|어디|어느|어떤|어떻게|얼마나|얼마|몇|뭐|뭔"
)
# Question words that stand before the noun they ask about (什么茶, 哪一年, 어느 대통령, 몇 명).
_DETERMINER = re.compile(r"什么|甚么|哪.?|几|多少|무슨|어느|어떤|몇")
# What may follow a question word that ends the question: copulas, endings, punctuation ("…은 누구인가?").
_ENDING = re.compile(r"^[\s?？.。!！]*(?:[이인였일입][가-힣]*|[가-힣]{0,3}[가까냐니요죠][요]?)?[\s?？.。!！]*$")
# Heads of questions without a question word ("…퇴역한 년도는?", "…파견된 인물은?") that say what kind is wanted.
_HEAD_KINDS = (
    ("date", re.compile(r"(?:년도|연도|날|날짜|생년월일|해|시기|시점|年代|时间|日子)[은는이가]?\s*[?？]?$")),
    ("person", re.compile(r"(?:인물|사람|선수|학자|작가|감독|배우|왕|대통령|人物|人)[은는이가]?\s*[?？]?$")),
)

_JOINTS = frozenset("、与和及或")  # normalised: 與 is folded to 与
CHAIN = 0.7  # how much each further question word on a side counts beside the one before it


@dataclass(frozen=True, slots=True)
class Slot:
    """The question's content words before the question word (nearest first) and after it, and its head noun."""

    before: tuple[str, ...]
    after: tuple[str, ...]
    head: str
    kind: str


def find_slot(question: str) -> Slot:
    """Where the question word stands among the question's content words, and the noun it asks about."""
    asked = normalize(question)
    terms = [w for w in content_words(question) if len(w) > 1 or not w.isascii()]
    placed = sorted((asked.find(w), w) for w in terms if w in asked)
    word = QUESTION_WORD.search(asked)
    at_end = word is None or bool(_ENDING.match(asked[word.end() :]))
    start = len(asked) if word is None or at_end else word.start()
    end = len(asked) if word is None or at_end else word.end()
    before = tuple(w for p, w in reversed(placed) if p + len(w) <= start)
    after = tuple(w for p, w in placed if p >= end)
    head = ""
    if after and word is not None and _DETERMINER.fullmatch(word[0]) and asked.find(after[0]) - end <= 2:
        head = after[0]  # 什么茶, 어느 대통령, 哪一年
    elif at_end and before:
        head = before[0]  # "…파견된 인물은?", "…높은 직위는 무엇인가?"
    kind = question_kind(question)
    if kind == "thing":
        kind = next((k for k, pattern in _HEAD_KINDS if pattern.search(asked)), kind)
    return Slot(before, after, head, kind)


def _pieces(span: Span, places: dict[str, list[int]], normal: str) -> list[Span]:
    """The span, and its stretches between the question's own words that overlap it ("로널드 레이건" of "로널드
    레이건 대통령 밑" when the question says "대통령 밑", "관측회" of "달 관측회" when it says "매달"); a joint
    of an enumeration left at a cut goes with the question's word ("奴隶" of "A与奴隶" when the question says A)."""
    cuts = sorted((p, p + len(w)) for w, ps in places.items() for p in ps if p < span.end and p + len(w) > span.start)
    if not cuts:
        return [span]
    found, start = [span], span.start
    for a, b in cuts:
        if a > start:
            found.append(_unjoined(Span(start, a, span.kind), normal))
        start = max(start, b)
    if start < span.end:
        found.append(_unjoined(Span(start, span.end, span.kind), normal))
    return found


def _unjoined(span: Span, normal: str) -> Span:
    """The piece without an enumeration's joint (、 与 和 及 或) at its edges."""
    start, end = span.start, span.end
    while start < end - 1 and normal[start] in _JOINTS:
        start += 1
    while end > start + 1 and normal[end - 1] in _JOINTS:
        end -= 1
    return Span(start, end, span.kind)


def _generic(tokens: Sequence[Any] | None, span: Span) -> bool:
    """A Korean span of bound nouns and one-syllable nouns only ("것", "때", "등"): never an answer by itself."""
    inside = [t for t in tokens or () if span.start <= t.start < span.end]
    return all(t.tag == "NNB" or (t.tag == "NNG" and len(t.form) == 1) for t in inside)


def _adjacent(words: Sequence[str], places: dict[str, list[int]], span: Span, *, before: bool) -> float:
    """How closely the words (nearest the question word first, counting most) stand on the span's side, in turn."""
    total = 0.0
    for rank, word in enumerate(words[:3]):
        gaps = [span.start - p - len(word) if before else p - span.end for p in places.get(word, ())]
        close = [gap for gap in gaps if gap >= 0]
        if close:
            total += CHAIN**rank / (1 + min(close) / 3)
    return total


def _with_head(span: Span, head: str, normal: str) -> Span:
    """The span extended over the head noun when it follows at once ("로널드 레이건" + " 대통령")."""
    if not head or normal[span.start : span.end].endswith(head):
        return span
    rest = normal[span.end : span.end + len(head) + 1]
    if rest.lstrip().startswith(head) and len(rest) - len(rest.lstrip()) <= 1:
        return Span(span.start, span.end + len(rest) - len(rest.lstrip()) + len(head), span.kind)
    return span


def _said(phrase: str, asked: str, head: str) -> tuple[float, bool]:
    """How much of the phrase the question already says (its head noun set aside), and whether it ends in it."""
    if not phrase or phrase in asked:
        return 1.0, False
    headed = bool(head) and phrase.endswith(head) and len(phrase) > len(head)
    rest = phrase[: -len(head)] if headed else phrase
    letters = [ch for ch in rest if not ch.isspace()]
    return sum(ch in asked for ch in letters) / max(len(letters), 1), headed
