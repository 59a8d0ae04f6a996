"""The FAISS vector index: exact and HNSW, delete, memory-mapped load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.indexing.faiss_index import FaissVectorIndex
from assistant.indexing.vectors import VectorIndex


def unit_vectors(count: int, dimension: int = 16, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_add_search_remove_save_load(tmp_path: Path, kind: str) -> None:
    vectors = unit_vectors(200)
    index = FaissVectorIndex(16, kind)
    assert isinstance(index, VectorIndex)
    index.add(np.arange(1000, 1200), vectors)
    scores, keys = index.search(vectors[:3], 5)
    assert keys[:, 0].tolist() == [1000, 1001, 1002]
    np.testing.assert_allclose(scores[:, 0], 1.0, atol=1e-5)
    index.remove(np.array([1000]))
    assert len(index) == 199
    assert 1000 not in index.search(vectors[:1], 5)[1]
    index.save(tmp_path)
    loaded = FaissVectorIndex.load(tmp_path, 16, kind)
    assert len(loaded) == 199
    assert loaded.search(vectors[1:2], 1)[1][0, 0] == 1001
    loaded.add(np.array([5000]), vectors[:1])  # a memory-mapped index becomes writable on first change
    assert loaded.search(vectors[:1], 1)[1][0, 0] == 5000
    np.testing.assert_allclose(loaded.fetch(np.array([1001])), vectors[1:2], atol=1e-6)


def test_asking_for_more_than_stored_pads_with_minus_one() -> None:
    index = FaissVectorIndex(16)
    index.add(np.array([1, 2]), unit_vectors(2))
    _scores, keys = index.search(unit_vectors(1, seed=3), 4)
    assert keys.shape == (1, 4) and keys[0, 2:].tolist() == [-1, -1]


def test_kind_is_chosen_by_size() -> None:
    assert FaissVectorIndex.kind_for(1_000, "auto", 100_000) == "flat"
    assert FaissVectorIndex.kind_for(200_000, "auto", 100_000) == "hnsw"
    assert FaissVectorIndex.kind_for(10, "hnsw", 100_000) == "hnsw"
