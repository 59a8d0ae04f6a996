"""BM25 over scipy.sparse: scoring order, normalisation, and updates equal to a rebuild."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.indexing.bm25 import BM25Field, script_of

DOCS = [
    ["서울", "메타버스", "계획"],
    ["메타버스", "산업", "산업", "진흥"],
    ["경제", "전략"],
    ["서울", "관광"],
]


def test_scores_rank_matching_rows_and_stay_below_one() -> None:
    field = BM25Field()
    field.add(DOCS)
    scores = field.scores(["산업", "진흥"])
    assert int(np.argmax(scores)) == 1
    assert 0 < scores.max() < 1 and scores[2] == 0
    assert field.scores(["없는말"]).max() == 0
    assert field.scores([]).shape == (4,)


def test_unknown_query_terms_lower_the_normalised_score() -> None:
    field = BM25Field()
    field.add(DOCS)
    assert field.scores(["관광", "없는말"])[3] < field.scores(["관광"])[3]


def test_add_and_remove_equal_a_fresh_build() -> None:
    incremental = BM25Field()
    incremental.add(DOCS[:2])
    incremental.add([*DOCS[2:], ["임시", "문서"]])
    incremental.remove(np.array([True, True, True, True, False]))
    fresh = BM25Field()
    fresh.add(DOCS)
    for query in (["서울"], ["메타버스", "산업"], ["관광", "경제"]):
        np.testing.assert_allclose(incremental.scores(query), fresh.scores(query), rtol=1e-6)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    field = BM25Field()
    field.add(DOCS)
    field.save(tmp_path, "words")
    loaded = BM25Field.load(tmp_path, "words")
    np.testing.assert_allclose(loaded.scores(["서울", "관광"]), field.scores(["서울", "관광"]))


def test_many_small_adds_equal_one_add_exactly() -> None:
    rows = [DOCS[i % len(DOCS)] + [f"희귀{i}"] * (i % 3) for i in range(40)]
    batched = BM25Field()
    for start in range(0, len(rows), 7):
        batched.add(rows[start : start + 7])
        assert batched.rows == min(start + 7, len(rows))
    whole = BM25Field()
    whole.add(rows)
    assert (batched.counts != whole.counts).nnz == 0
    for query in (["서울"], ["메타버스", "산업", "희귀3"], ["희귀39", "없는말"]):
        np.testing.assert_array_equal(batched.scores(query), whole.scores(query))


def test_rows_added_after_a_read_are_weighted_at_the_next() -> None:
    field = BM25Field()
    field.add(DOCS[:2])
    assert field.scores(["서울"]).shape == (2,) and field.rarity("관광") == 1.0
    field.add(DOCS[2:])
    fresh = BM25Field()
    fresh.add(DOCS)
    np.testing.assert_array_equal(field.scores(["관광", "서울"]), fresh.scores(["관광", "서울"]))
    assert field.rarity("관광") == fresh.rarity("관광") < 1.0


def test_a_loaded_field_is_weighted_as_saved_and_changes_as_a_fresh_one(tmp_path: Path, monkeypatch) -> None:
    field = BM25Field()
    field.add(DOCS)
    field.save(tmp_path, "words")
    with monkeypatch.context() as patched:  # no re-weighting on load, nor at the first search
        patched.setattr(BM25Field, "_reweight", lambda *_: pytest.fail("re-weighted on load"))
        loaded = BM25Field.load(tmp_path, "words")
        np.testing.assert_array_equal(
            loaded.scores(["서울", "관광", "없는말"]), field.scores(["서울", "관광", "없는말"])
        )
        assert loaded.rarity("관광") == field.rarity("관광")
    assert mapped(loaded.counts.data) and mapped(loaded._weights().matrix.indices)  # read from the file, not copied
    loaded.remove(np.array([True, False, True, True]))
    loaded.add([["관광", "새말", "新詞", "word"]])  # new terms of each script
    fresh = BM25Field()
    fresh.add([DOCS[0], *DOCS[2:], ["관광", "새말", "新詞", "word"]])
    assert loaded.scripts == [script_of(term) for term in loaded.vocabulary.terms]
    for query in (["서울", "관광"], ["새말"], ["新詞", "word"], ["메타버스", "산업"]):
        np.testing.assert_array_equal(loaded.scores(query), fresh.scores(query))


def test_a_field_saved_without_counts_shares_the_vocabulary_and_cannot_change(tmp_path: Path) -> None:
    field = BM25Field()
    field.add(DOCS)
    summed = BM25Field.from_counts(field.counts[[0, 1]] + field.counts[[2, 3]], field)
    summed.save(tmp_path, "summed", counts=False)
    loaded = BM25Field.load(tmp_path, "summed", like=field)
    assert loaded.vocabulary is field.vocabulary and loaded.rows == 2
    np.testing.assert_array_equal(loaded.scores(["서울", "전략"]), summed.scores(["서울", "전략"]))
    with pytest.raises(ValueError, match="without its counts"):
        loaded.remove(np.array([True, False]))


def mapped(array: np.ndarray) -> bool:
    """Whether an array is (a view of) a memory-mapped file."""
    while array is not None:
        if isinstance(array, np.memmap):
            return True
        array = array.base
    return False


def test_new_terms_take_columns_in_order_of_first_appearance() -> None:
    field = BM25Field()
    field.add([["산업", "서울", "산업"], [], ["學校", "서울", "ai"]])
    field.add([["ai", "新", "산업"]])
    assert field.vocabulary.terms == ["산업", "서울", "學校", "ai", "新"]
    assert field.scripts == [2, 2, 1, 0, 1]
    assert field.counts.toarray().tolist() == [
        [2, 1, 0, 0, 0],
        [0, 0, 0, 0, 0],
        [0, 1, 1, 1, 0],
        [1, 0, 0, 1, 1],
    ]
