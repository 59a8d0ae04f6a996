"""The exact flat scan gives what FAISS's ``IndexFlatIP`` gives: the same keys in the same order, ties included.

Compared one query at a time, as the store searches: from 20 queries on, FAISS scores through BLAS, whose rounding
can split a tie between equal vectors stored at different positions. Which of several equal scores FAISS keeps when
they straddle the k-th place follows its SIMD blocks and heap; there only the scores and the hits above them are
compared (the exact scan keeps the first stored, see ``test_a_tie_at_the_cut_keeps_the_first_stored``)."""

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
    straddled = 0
    for query in queries:
        expected_scores, expected_keys = reference.search(query[None], min(k, len(vectors)))
        scores, found = exact.search(query[None], k)
        np.testing.assert_allclose(scores, expected_scores, atol=1e-5)
        everything = np.sort(vectors @ query)[::-1]
        if k < len(vectors) and everything[k - 1] == everything[k]:
            straddled += 1
            above = expected_scores[0] > expected_scores[0, -1]
            assert found[0, above].tolist() == expected_keys[0, above].tolist()
        else:
            assert found.tolist() == expected_keys.tolist()
    assert straddled < len(queries)


def test_ties_are_ranked_as_faiss_ranks_them() -> None:
    vectors = np.tile(np.eye(4, dtype=np.float32)[:1], (6, 1))  # six equal vectors
    _, keys = ExactVectors.of(vectors, np.arange(6)).search(vectors[:1], 3)
    assert keys.tolist() == [[2, 1, 0]]  # the first stored kept, listed last-stored first


def test_a_tie_at_the_cut_keeps_the_first_stored() -> None:
    vectors = np.concatenate([np.eye(4, dtype=np.float32)[:2], np.tile(np.eye(4, dtype=np.float32)[2:3], (5, 1))])
    query = np.eye(4, dtype=np.float32)[2:3] + np.eye(4, dtype=np.float32)[0:1] * 2
    _, keys = ExactVectors.of(vectors, np.arange(7)).search(query, 3)
    assert keys.tolist() == [[0, 3, 2]]


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
    loaded.add(np.array([900]), vectors[1:2] * 2)
    assert loaded.search(vectors[1:2], 1)[1].tolist() == [[900]]
