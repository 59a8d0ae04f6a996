"""The BM25 of ``sparse_bm25`` (document vectors · query vector) against the local ``BM25Field``."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from assistant.indexing.bm25 import BM25Field
from assistant.store import sparse_bm25 as bm25

ROWS = [
    ["서울", "메타버스", "플랫폼", "서울"],
    ["元宇宙", "首尔", "平台"],
    ["서울", "시청", "2026"],
    ["元宇宙", "元宇宙", "产业", "서울"],
]


def sparse_scores(rows: list[list[str]], query: list[str]) -> np.ndarray:
    """One field, passage level only: write the rows, then score the query as the Milvus store does."""
    stats = bm25.CorpusStats.empty(["f"])
    level = stats.levels["f"]["p"]
    counts = [Counter(row) for row in rows]
    shapes = [bm25.row_shape(c) for c in counts]
    for shape in shapes:
        level.count(shape, 1)
    ids = {term: i for i, term in enumerate(sorted({t for row in rows for t in row}))}
    frequency = Counter(t for row in rows for t in set(row))
    known = {("f", t): bm25.TermStats(i, frequency[t], 0) for t, i in ids.items()}
    vector = bm25.keyword_query({"f": query}, {"f": 1.0}, 0.0, stats, known).plain
    scores = []
    for c, shape in zip(counts, shapes, strict=True):
        document = {bm25.dimension(ids[t], "p"): w for t, w in bm25.saturated(c, shape, level).items()}
        scores.append(sum(w * document.get(d, 0.0) for d, w in vector.items()))
    return np.asarray(scores)


QUERIES = [["서울"], ["元宇宙", "平台"], ["서울", "元宇宙", "없는말"], ["2026", "서울", "서울"]]


@pytest.mark.parametrize("query", QUERIES)
def test_sparse_vectors_score_as_the_local_field(query: list[str]) -> None:
    field = BM25Field()
    field.add(ROWS)
    assert sparse_scores(ROWS, query) == pytest.approx(field.scores(query), abs=1e-6)


def test_counting_a_row_out_undoes_counting_it_in() -> None:
    level = bm25.LevelStats()
    shapes = [bm25.row_shape(Counter(row)) for row in ROWS]
    for shape in shapes:
        level.count(shape, 1)
    before = level.to_dict()
    level.count(shapes[1], -1)
    level.count(shapes[1], 1)
    assert level.to_dict() == before and level.rows == 4
    assert bm25.row_shape(Counter(ROWS[3])) == bm25.RowShape(length=4, main=1, scripts=0b110)


def test_rarity_matches_the_local_field() -> None:
    field = BM25Field()
    field.add(ROWS)
    level = bm25.LevelStats()
    for row in ROWS:
        level.count(bm25.row_shape(Counter(row)), 1)
    for term, frequency in (("서울", 3), ("시청", 1)):
        assert bm25.rarity(term, bm25.TermStats(0, frequency, 0), level) == pytest.approx(field.rarity(term), abs=1e-6)
    assert bm25.rarity("없는말", None, level) == 1.0 == field.rarity("없는말")
