"""Every candidate answering phrase of a question's best sentences, described by the features a ranker weighs.

The candidates are the phrases the two rule readers cut (``phrase_rules``: noun runs by kiwi's or jieba's tags,
enumerations, dates and amounts by pattern; ``phrase_slots``: the same cut again where a question word stands
inside, and extended over the question's head noun), each span of a sentence once. The features say what the
readers' hand-set scores said, one number each, so that their weights can be fitted
(``eval/fit_phrase_ranker.py``) rather than set by hand: the kind of phrase against the kind asked, how
closely the question's words stand on its two sides, whether it ends in the question's head noun, how much
of it the question already says, its length, and the rank of its sentence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..languages import has_hangul, normalize
from ..text.kiwi import analyse
from .phrase_rules import (
    _DATE_RANGE,
    _DIGITS,
    _PERIOD,
    _UNITS,
    Span,
    _overlap,
    _tightened,
    chinese_spans,
    head_of,
    korean_spans,
    pattern_spans,
    trimmed,
    with_lists,
)
from .phrase_slots import Slot, _adjacent, _generic, _pieces, _said, _with_head, find_slot
from .sentence_scoring import content_words

PRIORITY = ("date", "number", "person", "place", "name", "thing")  # the kind kept when one span has several
MAX_CHARS = 40  # a longer phrase is a clause, not an answer


@dataclass(frozen=True, slots=True)
class PhraseCandidate:
    """One phrase: sentence index (best first), offsets in that sentence, its text and its features."""

    sentence: int
    start: int
    end: int
    text: str
    features: dict[str, float]


@dataclass(frozen=True, slots=True)
class _Question:
    """What every candidate of one question is compared with: computed once per question."""

    asked: str
    slot: Slot
    head: str
    words: tuple[str, ...]
    terms: frozenset[str]
    held: tuple[str, ...]  # words of the question an answer does not hold (its head noun and units aside)
    digits: frozenset[str]
    units: frozenset[str]
    period: bool
    money: bool
    verbs: frozenset[str]  # the lemmas of a Korean question's verbs and adjectives ("열" of "여는")


# Questions about money, and the currencies an amount of money is counted in (normalised, Simplified).
_MONEY = re.compile(r"돈|금액|예산|비용|투자|자금|매출|가격|费用|金额|预算|资金|投资|价格|价钱|收入|花费|多少钱")
_CURRENCY = re.compile(r"원|달러|엔|유로|위안|元|美元|韩元|日元|欧元|英镑|港币|人民币|新台币")
_VERB_TAGS = frozenset({"VV", "VA", "VV-I", "VA-I", "VV-R", "VA-R"})
VERB_REACH = 10  # characters between a phrase and the question's verb after it that still count


def _question(question: str) -> _Question:
    terms = content_words(question)
    asked = normalize(question)
    slot, head = find_slot(question), head_of(question, terms)
    words = tuple(w for w in terms if len(w) > 1 or not w.isascii())
    return _Question(
        asked,
        slot,
        head,
        words,
        terms,
        tuple(w for w in words if len(w) > 1 and w not in (head, slot.head) and not _UNITS.fullmatch(w)),
        frozenset(_DIGITS.findall(asked)),
        frozenset(_UNITS.findall(asked)),
        bool(_PERIOD.search(asked)),
        bool(_MONEY.search(asked)),
        frozenset(t.form for t in analyse([question])[0] if t.tag in _VERB_TAGS)
        if has_hangul(question)
        else frozenset(),
    )


def phrase_candidates(question: str, sentences: Sequence[str]) -> list[PhraseCandidate]:
    """The candidate phrases of the sentences (best first), each span once, with their features."""
    asking = _question(question)
    korean = [i for i, s in enumerate(sentences) if has_hangul(s)]
    tokens = dict(zip(korean, analyse([sentences[i] for i in korean]), strict=True))
    found: list[PhraseCandidate] = []
    for i, sentence in enumerate(sentences):
        found += _sentence_candidates(asking, i, sentence, tokens.get(i))
    return found


def _sentence_candidates(
    asking: _Question, rank: int, sentence: str, tokens: list[Any] | None
) -> list[PhraseCandidate]:
    normal = normalize(sentence)
    aligned = len(normal) == len(sentence)
    if not aligned:
        normal = sentence
    spans = korean_spans(tokens) if tokens is not None else with_lists(sentence, chinese_spans(sentence))
    spans = [*spans, *pattern_spans(sentence)]
    slot_words = {*asking.slot.before, *asking.slot.after}
    places = {w: [m.start() for m in re.finditer(re.escape(w), normal)] for w in slot_words | set(asking.words)}
    places = {w: p for w, p in places.items() if p}
    if not places:  # a sentence holding none of the question's words says nothing of where its answer stands
        return []
    slot_places = {w: p for w, p in places.items() if w in slot_words}
    cut: dict[tuple[int, int], tuple[str, set[str]]] = {}  # (start, end) -> (kind, how it was cut)

    def keep(span: Span | None, how: str) -> None:
        if span is None:
            return
        kind, ways = cut.get((span.start, span.end), (span.kind, set()))
        # a span both tagged and matched by pattern is a date or an amount: the pattern's kind is the finer one
        if PRIORITY.index(span.kind) < PRIORITY.index(kind):
            kind = span.kind
        cut[(span.start, span.end)] = (kind, ways | {how})

    for raw in spans:
        plain = trimmed(sentence, raw)
        keep(plain, "plain")
        if plain is not None and aligned and plain.kind not in ("number", "date"):
            keep(trimmed(sentence, _tightened(plain, normal, asking.terms)), "tightened")
        for cut_at in _pieces(raw, slot_places, normal) if slot_places else ():
            piece = trimmed(sentence, cut_at)
            if piece is not None and (piece.start, piece.end) != (raw.start, raw.end):
                keep(piece, "piece")
            if piece is not None and asking.slot.head:
                headed = _with_head(piece, asking.slot.head, normal)
                if headed != piece:
                    keep(headed, "headed")
    present = sum(1 for w in slot_words if w in slot_places) / max(len(slot_words), 1)
    dates = [(start, end) for (start, end), (kind, _) in cut.items() if kind == "date"]
    found = []
    for (start, end), (kind, ways) in sorted(cut.items()):
        text = sentence[start:end]
        phrase = normal[start:end]
        if len(text) > MAX_CHARS or (len(text) == 1 and not text.isnumeric()):
            continue
        if kind in ("number", "date") and _ends_in_verb(asking, phrase):
            continue
        span = Span(start, end, kind)
        features = _features(asking, span, phrase, places, slot_places, tokens, rank, ways)
        features["slot_words_present"] = present
        # a number inside a date is its year or day ("2023년" of "2023년 4월", "二年" of "嘉禾二年"), not an amount
        features["in_date"] = float(kind == "number" and any(a <= start and end <= b for a, b in dates))
        found.append(PhraseCandidate(rank, start, end, text, features))
    return found


def _features(
    asking: _Question,
    span: Span,
    phrase: str,
    places: dict[str, list[int]],
    slot_places: dict[str, list[int]],
    tokens: list[Any] | None,
    rank: int,
    ways: set[str],
) -> dict[str, float]:
    slot = asking.slot
    korean = tokens is not None
    numeric = span.kind in ("number", "date")
    left = _adjacent(slot.before, slot_places, span, before=True)
    right = _adjacent(slot.after, slot_places, span, before=False)
    if korean:
        left = max(left, 0.6 * _adjacent(slot.before, slot_places, span, before=False))
    outside = [_distance(span, p) for ps in places.values() for p in ps if not span.start <= p < span.end]
    near = 1 / (1 + min(outside) / 4) if outside else 0.0
    said, slot_headed = _said(phrase, asking.asked, slot.head)
    inside, headed = _overlap(phrase, asking.asked, asking.head)
    # a Korean answer stands before the question's own verb, whatever its inflection ("관측회를 연다" for "여는 행사")
    verb = next(
        (
            t.start - span.end
            for t in tokens or ()
            if t.start >= span.end and t.tag in _VERB_TAGS and t.form in asking.verbs
        ),
        None,
    )
    digits = set(_DIGITS.findall(phrase))
    features = {
        f"rank{rank}": 1.0,
        "left": left,
        "right": right,
        "both_sides": min(left, right),
        "near": near,
        "touching": float(near >= 0.8),
        "slot_headed": float(slot_headed),
        "headed": float(headed),
        "said": said,
        "said2": said * said,
        "said_over": float(said > 0.6),
        "all_said": float(said >= 0.99),
        "holds_word": float(any(word in phrase for word in asking.held)),
        "inside": inside,
        "inside_over": float(inside > 0.6),
        "given_number": float(numeric and bool(digits) and digits <= asking.digits),
        "unit": float(numeric and any(unit in phrase for unit in asking.units)),
        "money": float(asking.money and numeric and bool(_CURRENCY.search(phrase))),
        "verb_after": 1 / (1 + verb / 3) if verb is not None and verb <= VERB_REACH else 0.0,
        "period": float(asking.period and span.kind == "date" and bool(_DATE_RANGE.search(phrase))),
        "length": len(phrase) / 10,
        "log_length": math.log(1 + len(phrase)),
        "generic": float(korean and _generic(tokens, span)),
        "piece": float("piece" in ways),
        "tightened": float("tightened" in ways),
        "head_added": float("headed" in ways),
        "no_slot": float(not slot.before and not slot.after),
    }
    pair = f"kind:{slot.kind}:{span.kind}"  # the kind asked against the phrase's own
    features[pair] = 1.0
    features[f"{pair}:near"] = near
    features[f"{pair}:left"] = left
    features[f"{pair}:right"] = right
    features[f"{pair}:said"] = said
    features[f"{pair}:headed"] = float(headed)
    features[f"{pair}:slot_headed"] = float(slot_headed)  # the noun a determiner asks about (哪一年, 몇 명)
    if slot.kind == "thing":
        features[f"thing_headed:{span.kind}"] = float(headed or slot_headed)
    return features


def _ends_in_verb(asking: _Question, phrase: str) -> bool:
    """Whether a date or an amount runs on into the word the question asks it about, when that word is no noun
    a determiner asks for ("2023年4月启动" for "何时启动", where "哪一年" asks for a phrase ending in 年)."""
    head = asking.head
    if len(head) < 2 or asking.slot.head or _UNITS.fullmatch(head):  # 年 of 哪一年, 명 of 몇 명: what is asked
        return False
    return phrase.endswith(head) and len(phrase) > len(head)


def _distance(span: Span, place: int) -> int:
    """Characters between a span and a position (0 inside or touching)."""
    if place < span.start:
        return span.start - place
    return max(place - span.end, 0)
