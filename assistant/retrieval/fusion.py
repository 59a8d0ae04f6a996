"""Ways to fuse the keyword and dense rankings into one."""

from __future__ import annotations

import numpy as np


def weighted(keyword: np.ndarray, dense: np.ndarray, keyword_weight: float, dense_weight: float) -> np.ndarray:
    """Weighted mean of the normalised keyword score and the cosine similarity."""
    total = keyword_weight + dense_weight
    return (keyword_weight * keyword + dense_weight * dense) / (total or 1.0)


def reciprocal_rank(rankings: list[np.ndarray], rows: np.ndarray, k: int = 60) -> np.ndarray:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings each row appears in."""
    fused = np.zeros(len(rows), dtype=np.float32)
    position = {int(row): i for i, row in enumerate(rows)}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            i = position.get(int(row))
            if i is not None:
                fused[i] += 1.0 / (k + rank)
    return fused
