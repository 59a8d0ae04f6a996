"""The exact flat scan gives what FAISS's ``IndexFlatIP`` gives: the same keys in the same order, ties included.

Compared one query at a time, as the store searches: from 20 queries on, FAISS scores through BLAS, whose rounding
can split a tie between equal vectors stored at different positions."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from assistant.indexing.exact_vectors import ExactVectors
from assistant.indexing.faiss_index import FaissVectorIndex


def vectors_with_duplicates(count: int = 600, dimension: int = 32, seed: int = 1) -> np.ndarray:
    """Unit vectors where groups of rows are the same vector (equal scores, as duplicate passages give)."""
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(count, dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for group in range(5):
        rows = rng.choice(count, min(12, count), replace=False)
        vectors[rows] = vectors[rows[0]] * (1 - group / 10)
    return vectors


def faiss_flat(vectors: np.ndarray, keys: np.ndarray) -> faiss.Index:
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
    index.add_with_ids(vectors, keys)
    return index


@pytest.mark.parametrize("k", [1, 2, 5, 11, 12, 30, 600, 700])
def test_same_keys_in_the_same_order_as_faiss(k: int) -> None:
    vectors = vectors_with_duplicates()
    keys = np.arange(5000, 5000 + len(vectors), dtype=np.int64)[::-1].copy()  # keys need not follow storage
    queries = np.concatenate([vectors[::37], vectors_with_duplicates(8, seed=9)])
    reference, exact = faiss_flat(vectors, keys), ExactVectors.of(vectors, keys)
    for query in queries:
        expected_scores, expected_keys = reference.search(query[None], min(k, len(vectors)))
        scores, found = exact.search(query[None], k)
        assert found.tolist() == expected_keys.tolist()
        np.testing.assert_allclose(scores, expected_scores, atol=1e-5)


def test_ties_are_ranked_as_faiss_ranks_them() -> None:
    vectors = np.tile(np.eye(4, dtype=np.float32)[:1], (6, 1))  # six equal vectors
    _, keys = ExactVectors.of(vectors, np.arange(6)).search(vectors[:1], 3)
    assert keys.tolist() == [[2, 1, 0]]  # the first stored kept, listed last-stored first


def test_a_tie_at_the_cut_is_settled_as_faiss_settles_it() -> None:
    dimension = 8
    same = np.eye(dimension, dtype=np.float32)[0]
    vectors = vectors_with_duplicates(400, dimension, seed=3) * 0.5
    vectors[[5, 40, 41, 90, 200, 300, 399]] = same  # seven equal best scores, read at these positions
    vectors[[10, 150]] = same * 2  # two better ones among them
    keys = np.arange(400, dtype=np.int64)
    for k in range(1, 12):
        expected = faiss_flat(vectors, keys).search(same[None], k)[1]
        assert ExactVectors.of(vectors, keys).search(same[None], k)[1].tolist() == expected.tolist()


def test_the_flat_index_searches_its_snapshot_and_follows_changes(tmp_path: Path) -> None:
    vectors = vectors_with_duplicates(300)
    keys = np.arange(300, dtype=np.int64)
    index = FaissVectorIndex(32, "flat")
    index.add(keys, vectors)
    reference = faiss_flat(vectors, keys)
    assert index.search(vectors[:4], 20)[1].tolist() == reference.search(vectors[:4], 20)[1].tolist()
    index.remove(np.arange(0, 300, 3))
    reference.remove_ids(np.arange(0, 300, 3))
    assert index.search(vectors[:4], 20)[1].tolist() == reference.search(vectors[:4], 20)[1].tolist()
    index.save(tmp_path)
    loaded = FaissVectorIndex.load(tmp_path, 32, "flat")  # memory-mapped: the snapshot reads FAISS's storage
    assert loaded.search(vectors[:4], 20)[1].tolist() == reference.search(vectors[:4], 20)[1].tolist()
    assert len(loaded) == 200  # the mapped file let go, the snapshot answers
    np.testing.assert_array_equal(loaded.fetch(np.array([299, 1, 2])), vectors[[299, 1, 2]])
    with pytest.raises(KeyError):
        loaded.fetch(np.array([3]))  # removed
    again = tmp_path / "again"
    again.mkdir()
    loaded.save(again)
    assert len(FaissVectorIndex.load(again, 32, "flat")) == 200
    loaded.add(np.array([900]), vectors[1:2] * 2)
    assert loaded.search(vectors[1:2], 1)[1].tolist() == [[900]]


@pytest.mark.parametrize("count", [600, 70_001])
def test_equal_vectors_score_alike_wherever_they_are_stored(count: int) -> None:
    vector = vectors_with_duplicates(1, dimension=16, seed=4)
    scores = ExactVectors.of(np.repeat(vector, count, axis=0), np.arange(count)).scores(
        vectors_with_duplicates(1, 16)[0]
    )
    assert len(scores) == count and len(np.unique(scores)) == 1
