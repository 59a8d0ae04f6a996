"""BM25 as sparse vectors for a vector database: saturated, length-normalised term frequencies on the document
side, IDF and field weights on the query side, so that one inner product gives ``indexing.keyword``'s score.

Every (field, term) has a stable integer id; a passage's vector holds its own weights at dimension ``2·id``
and its whole document's weights (the document prior, ``document_weight``) at ``2·id + 1``. Statistics are
kept per field and per level (passages, documents) as ``indexing.bm25`` keeps them: document frequencies per
term, rows with a term of each script (IDF within the script), and the length of rows by their main script
(average length within the script). A document vector is normalised with the average lengths in force when it
is written (its own batch included); IDF is read at query time, so adding documents never rewrites the vectors
already stored. The store keeps these statistics with the index and updates them with each write.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..indexing.bm25 import SCRIPTS, script_of
from ..indexing.keyword import BRIDGE_TERMS

K1 = 1.2
B = 0.75
LEVELS = ("p", "d")  # passage, document


@dataclass(frozen=True)
class RowShape:
    """What the statistics need of one row in one field: its length, main script and scripts present."""

    length: int
    main: int
    scripts: int  # bit mask of the scripts it has terms of

    def to_list(self) -> list[int]:
        return [self.length, self.main, self.scripts]


def row_shape(counts: Mapping[str, int]) -> RowShape:
    """A row's length and scripts from its term counts (the main script is the one with most terms, the first
    on a tie, as ``indexing.bm25`` takes it)."""
    by_script = [0] * SCRIPTS
    for term, count in counts.items():
        by_script[script_of(term)] += count
    main = max(range(SCRIPTS), key=lambda s: (by_script[s], -s))
    return RowShape(sum(by_script), main, sum(1 << s for s in range(SCRIPTS) if by_script[s]))


@dataclass
class LevelStats:
    """One field's row statistics at one level."""

    rows: int = 0
    with_script: list[int] = field(default_factory=lambda: [0] * SCRIPTS)
    main_rows: list[int] = field(default_factory=lambda: [0] * SCRIPTS)
    main_length: list[int] = field(default_factory=lambda: [0] * SCRIPTS)

    def count(self, shape: RowShape, sign: int) -> None:
        """Add (``sign`` 1) or take away (-1) a row."""
        self.rows += sign
        for s in range(SCRIPTS):
            if shape.scripts >> s & 1:
                self.with_script[s] += sign
        self.main_rows[shape.main] += sign
        self.main_length[shape.main] += sign * shape.length

    def average(self, script: int) -> float:
        rows = self.main_rows[script]
        return max(self.main_length[script] / rows, 1e-9) if rows > 0 else 1.0

    def idf(self, frequency: int, script: int) -> float:
        rows_with = max(self.rows, 1) if script == 0 else max(self.with_script[script], 1)
        return math.log1p(max(rows_with - frequency + 0.5, 0.5) / (frequency + 0.5))

    def missing_idf(self) -> float:
        return math.log1p((self.rows + 0.5) / 0.5)

    def to_dict(self) -> dict[str, object]:
        return {"rows": self.rows, "with": self.with_script, "main": self.main_rows, "length": self.main_length}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> LevelStats:
        return cls(int(data["rows"]), list(data["with"]), list(data["main"]), list(data["length"]))  # type: ignore[call-overload]


@dataclass
class CorpusStats:
    """Row statistics of every field at both levels."""

    levels: dict[str, dict[str, LevelStats]]  # field → level → statistics

    @classmethod
    def empty(cls, fields: Iterable[str]) -> CorpusStats:
        return cls({name: {level: LevelStats() for level in LEVELS} for name in fields})

    def to_dict(self) -> dict[str, object]:
        return {name: {level: s.to_dict() for level, s in per.items()} for name, per in self.levels.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, Mapping[str, object]]]) -> CorpusStats:
        return cls({name: {lv: LevelStats.from_dict(s) for lv, s in per.items()} for name, per in data.items()})


def saturated(counts: Mapping[str, int], shape: RowShape, stats: LevelStats) -> dict[str, float]:
    """A row's document-side weights: tf·(k1+1) / (tf + k1·(1 − b + b·length/average))."""
    norm = K1 * (1 - B + B * shape.length / stats.average(shape.main))
    return {term: count * (K1 + 1) / (count + norm) for term, count in counts.items()}


def dimension(term_id: int, level: str) -> int:
    """The sparse dimension of a term id at a level."""
    return 2 * term_id + (1 if level == "d" else 0)


@dataclass(frozen=True)
class TermStats:
    """A term's id and document frequencies (passages, documents)."""

    id: int
    passages: int
    documents: int

    def frequency(self, level: str) -> int:
        return self.passages if level == "p" else self.documents


@dataclass(frozen=True)
class KeywordQuery:
    """A query's keyword side: its terms per field, and the sparse vectors they make. ``plain`` scores the weighted
    mean of the ordinary fields; each of ``bridges`` scores one bridge field's lane (``indexing.keyword``: its
    weight, at most 1, and its trust in the query's terms are in it). A passage's score is the best of them."""

    terms: Mapping[str, Sequence[str]]
    plain: dict[int, float]
    bridges: dict[str, dict[int, float]] = field(default_factory=dict)

    @property
    def vectors(self) -> list[dict[int, float]]:
        """The non-empty vectors, plain first: one sparse search each."""
        return [vector for vector in (self.plain, *self.bridges.values()) if vector]

    def score(self, stored: Mapping[Any, float]) -> float:
        """A stored passage vector's keyword score (keys as ints or as the strings Milvus returns)."""
        return max((_dot(vector, stored) for vector in self.vectors), default=0.0)


def keyword_query(
    terms: Mapping[str, Sequence[str]],
    weights: Mapping[str, float],
    document_weight: float,
    stats: CorpusStats,
    known: Mapping[tuple[str, str], TermStats],
    bridges: Collection[str] = (),
) -> KeywordQuery:
    """The query side: each query term's count × IDF, divided by the best score the query could reach in its
    field and level; the plain fields' times their weight over the weight sum (``KeywordIndex.scores``), each
    bridge's times its lane's factor.

    ``terms``: field → the query's terms (empty fields are left out of the weight sum, as there).
    """
    plain: dict[int, float] = {}
    lanes: dict[str, dict[int, float]] = {}
    weighted = [n for n, found in terms.items() if found and weights.get(n, 0) > 0 and n not in bridges]
    denominator = max(sum(weights[n] for n in weighted) * (1 + document_weight), 1e-9)
    for name in weighted:
        field_vector(terms[name], weights[name] / denominator, name, document_weight, stats, known, plain)
    for name in bridges:
        found, weight = terms.get(name, ()), weights.get(name, 0.0)
        if found and weight > 0:
            trust = min(1.0, len(set(found)) / BRIDGE_TERMS)
            scale = min(weight, 1.0) * trust / (1 + document_weight)
            lanes[name] = field_vector(found, scale, name, document_weight, stats, known, {})
    return KeywordQuery(terms, plain, lanes)


def field_vector(
    found: Sequence[str], scale: float, name: str, document_weight: float, stats: CorpusStats,
    known: Mapping[tuple[str, str], TermStats], vector: dict[int, float],
) -> dict[int, float]:  # fmt: skip
    """Add one field's query terms to ``vector`` at both levels (the document level times ``document_weight``),
    each term's count × IDF over the best the query could reach there, times ``scale``; returns ``vector``."""
    for level, factor in (("p", 1.0), ("d", document_weight)):
        if factor <= 0:
            continue
        level_stats = stats.levels[name][level]
        best, parts = 0.0, Counter[int]()
        idf_of: dict[int, float] = {}
        for term in found:
            entry = known.get((name, term))
            frequency = entry.frequency(level) if entry else 0
            if entry is None or frequency <= 0:
                best += level_stats.missing_idf() * (K1 + 1)
                continue
            idf = level_stats.idf(frequency, script_of(term))
            best += idf * (K1 + 1)
            key = dimension(entry.id, level)
            parts[key] += 1
            idf_of[key] = idf
        if best <= 0:
            continue
        for key, count in parts.items():
            vector[key] = vector.get(key, 0.0) + count * scale * factor * idf_of[key] / best
    return vector


def _dot(query: Mapping[int, float], stored: Mapping[Any, float]) -> float:
    return float(sum(weight * stored.get(dim, stored.get(str(dim), 0.0)) for dim, weight in query.items()))


def rarity(term: str, entry: TermStats | None, stats: LevelStats) -> float:
    """A term's rarity among passages, as ``BM25Field.rarity``: its IDF over an unseen term's, at most 1."""
    missing = stats.missing_idf()
    if entry is None or entry.passages <= 0 or missing <= 0:
        return 1.0
    return min(stats.idf(entry.passages, script_of(term)) / missing, 1.0)
