"""Candidate sentences of retrieved passages, scored by how likely each one holds the answer to a question.

A sentence scores by the share of the question's content words it holds, each word weighted by how rare
it is among the candidates. A word the sentence lacks still counts for part when the sentence holds part
of it (a Chinese word's characters, a Korean stem's start), when the document's title holds it (the
title is what every sentence of the document is about), or, a little, when another sentence of the
same document holds it. The hit's retrieval score scales the result.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..languages import CHINESE, normalize
from ..records import Hit, Language, Passage
from ..text.morphemes import MorphemeTokenizer
from ..text.sentences import chinese_sentences, latin_sentences
from .bridge import asks_in_korean, read_for, reading_presence, text_for_korean, word_readings
from .injections import is_instruction

# Question words carry no answer content: they are taken out of the question before matching.
_QUESTION_WORDS = re.compile(
    r"什么|什麼|甚么|甚麼|哪[一个個些里裡儿兒位种種国國年天]?|谁|誰|几|幾|多少|多久|多长|多長|多大|多高|"
    r"何[时時处處地人者种種]?|为什么|為什麼|为何|為何|怎么|怎麼|怎样|怎樣|如何|是否|吗|嗎|呢|"
    r"무엇|무슨|누구|누가|언제|어디|어느|어떤|어떻게|얼마나|얼마|몇|왜|뭐|뭔|"
    r"叫什么|叫什麼|名字|名[称稱]|哪些|那[个個]|[这這][个個]|[东東]西|[还還]有|指的是|"
    r"이름|명칭|가지"
)
# Questions whose answer is a number or a date.
_NUMBER_QUESTION = re.compile(r"几|幾|多少|多久|多长|多長|多大|多高|몇|얼마|哪一?年|何時|何时|언제|年份|日期")
_DIGIT = re.compile(r"[0-9〇零一二三四五六七八九十百千万亿]")
_HAN = re.compile(r"[\u3400-\u9fff]")
# Single Han characters that are grammar rather than content (terms are normalised to Simplified).
_FUNCTION_CHARS = frozenset("的是了在和与及有为被把也都而之其于以由对从向等中上下个这那该此所就又还将会能可要")

SINGLE_CHAR_WEIGHT = 0.5  # a one-character word says less than a longer one
PARTIAL = 0.5  # most a word can count for when only part of it is present
TITLE = 0.8  # how much a word in the document's title counts for each of its sentences
CONTEXT = 0.2  # how much a word elsewhere in the same document counts
NUMBER_CUE = 0.1  # bonus for a number in a sentence answering "how many" / "when"
MIN_STANDING = 0.2  # the weakest hit's sentences keep this share of their score

_tokenizer = MorphemeTokenizer()


@dataclass(frozen=True, slots=True)
class Candidate:
    """One sentence of a retrieved passage: hit number, document span, text and normalised text."""

    n: int
    passage: Passage
    start: int
    end: int
    text: str
    normal: str


@dataclass(frozen=True, slots=True)
class QuestionTerms:
    """The question's content words with their weights among the candidates, and its answer-type cue.

    ``readings`` maps a Chinese question's words to their Korean readings: a Korean sentence holding the
    reading holds the word (see ``bridge``).
    """

    weights: dict[str, float]
    total: float
    wants_number: bool
    readings: Mapping[str, str] = field(default_factory=dict)
    korean: bool = False  # a Korean question: Chinese titles are read in Korean too


def sentence_spans(passage: Passage) -> list[tuple[int, int]]:
    """Document spans of the passage's sentences (Chinese punctuation rules, else Latin ones)."""
    if passage.language in CHINESE:
        return chinese_sentences(passage.text, passage.start)
    return latin_sentences(passage.text, passage.start)


def candidates_of(hits: Sequence[Hit]) -> list[Candidate]:
    """Sentences of all hits, each document span once (from the best-ranked hit that holds it).

    A sentence addressed to the assistant (an instruction planted in a document) is never a candidate.
    Answerability, the short answer and the composer each read one answer's hits: they are cut once.
    """
    return list(_candidates(tuple(hits)))


@lru_cache(maxsize=16)
def _candidates(hits: tuple[Hit, ...]) -> tuple[Candidate, ...]:
    found: list[Candidate] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    for n, hit in enumerate(hits, start=1):
        passage = hit.passage
        spans = taken.setdefault(passage.document_id, [])
        for start, end in sentence_spans(passage):
            if any(start < b and a < end for a, b in spans):
                continue
            spans.append((start, end))
            text = passage.text[start - passage.start : end - passage.start]
            normal = normalize(text)
            if not is_instruction(text, normal=normal):
                found.append(Candidate(n, passage, start, end, text, normal))
    return tuple(found)


@lru_cache(maxsize=1024)
def content_words(question: str) -> frozenset[str]:
    """The question's content words (normalised morphemes and Chinese words), question and function words out.

    Answerability, sentence ranking and the phrase reader all weigh the same question: it is analysed once.
    """
    content = _QUESTION_WORDS.sub(" ", question)
    return frozenset(w for w in _tokenizer.tokenize([content])[0] if w not in _FUNCTION_CHARS)


def question_terms(question: str, candidates: Sequence[Candidate]) -> QuestionTerms:
    """The question's content words, weighted by how rare they are among the candidate sentences."""
    words = content_words(question)
    read = word_readings(words) if any(c.passage.language is Language.KOREAN for c in candidates) else {}
    count = len(candidates)
    weights: dict[str, float] = {}
    # in sorted order: sums over the weights then add up the same way in every process (a set's order follows the
    # hash seed, and the last bits of a float sum follow the order: ties between sentences fell either way)
    for word in sorted(words):
        reading = read.get(word, word)
        frequency = sum(1 for c in candidates if word in c.normal or reading in c.normal)
        rarity = math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))
        weights[word] = rarity * (SINGLE_CHAR_WEIGHT if len(word) == 1 else 1.0)
    wants_number = bool(_NUMBER_QUESTION.search(question))
    return QuestionTerms(weights, sum(weights.values()) or 1.0, wants_number, read, asks_in_korean(question))


def presence(word: str, normal: str) -> float:
    """1 if the text holds the word; part credit for some of a Chinese word's characters or a Korean stem's start."""
    if word in normal:
        return 1.0
    if len(word) < 2:
        return 0.0
    if _HAN.match(word):
        return PARTIAL * sum(ch in normal for ch in word) / len(word)
    for cut in range(len(word) - 1, 1, -1):
        if word[:cut] in normal:
            return PARTIAL * cut / len(word)
    return 0.0


def read_presence(word: str, normal: str, readings: Mapping[str, str]) -> float:
    """``presence``, or the presence of the word's Korean reading when ``readings`` has one (a Chinese question's
    word in a Korean sentence, see ``bridge``), whichever is higher."""
    found = presence(word, normal)
    reading = readings.get(word)
    return max(found, reading_presence(reading, normal, PARTIAL)) if reading is not None and found < 1.0 else found


def coverage(question: QuestionTerms, normal: str, floor: Mapping[str, float] | None = None) -> float:
    """Share of the question's weight the normalised text holds; ``floor`` is each word's credit from elsewhere."""
    total = 0.0
    readings = question.readings
    for word, weight in question.weights.items():
        # a word held whole counts 1 (``read_presence``'s answer), and is the common case: no call for it
        found = 1.0 if word in normal else read_presence(word, normal, readings)
        if floor is not None:
            found = max(found, floor[word])
        total += weight * found
    return total / question.total


def document_floors(question: QuestionTerms, candidates: Sequence[Candidate]) -> dict[str, dict[str, float]]:
    """Per document, the credit each question word gets in every sentence: from the title or the other sentences."""
    texts: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    languages: dict[str, Language] = {}
    for candidate in candidates:
        texts.setdefault(candidate.passage.document_id, []).append(candidate.normal)
        titles[candidate.passage.document_id] = candidate.passage.title
        languages[candidate.passage.document_id] = candidate.passage.language
    floors: dict[str, dict[str, float]] = {}
    for document, parts in texts.items():
        title, context = normalize(titles[document]), "\n".join(parts)
        if question.korean:
            title = text_for_korean(title, languages[document])
        floors[document] = {
            word: max(
                TITLE * read_presence(word, title, question.readings),
                CONTEXT * read_presence(word, context, question.readings),
            )
            for word in question.weights
        }
    return floors


def score(question: QuestionTerms, candidate: Candidate, hits: Sequence[Hit], floor: Mapping[str, float]) -> float:
    """How likely the sentence holds the answer: its coverage of the question, scaled by its hit's standing."""
    covered = coverage(question, candidate.normal, floor)
    if question.wants_number and _DIGIT.search(candidate.normal):
        covered += NUMBER_CUE
    top = hits[0].score or 1.0
    standing = min(max(hits[candidate.n - 1].score / top, 0.0), 1.0)
    return covered * (MIN_STANDING + (1 - MIN_STANDING) * standing)


def ranked_candidates(question: str, hits: Sequence[Hit]) -> tuple[QuestionTerms, list[Candidate]]:
    """The question's terms, and the hits' sentences best first (read across Korean and Chinese, see ``bridge``)."""
    candidates = read_for(question, candidates_of(hits))
    terms = question_terms(question, candidates)
    floors = document_floors(terms, candidates)
    scores = [score(terms, c, hits, floors[c.passage.document_id]) for c in candidates]
    # rounded: sums over a set of words differ in the last bits with the hash seed, and so would the order of ties
    return terms, [candidates[i] for i in sorted(range(len(candidates)), key=lambda i: -round(scores[i], 9))]
