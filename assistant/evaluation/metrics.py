"""Ranking metrics for one relevant item per question."""

from __future__ import annotations

import math
from collections.abc import Sequence


def rank_of(gold: str, ranking: Sequence[str]) -> int | None:
    """1-based rank of the gold id in the ranking, or None."""
    for position, item in enumerate(ranking, start=1):
        if item == gold:
            return position
    return None


def retrieval_metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    """recall@1/5/20, MRR@10 and nDCG@10 from the gold item's rank per question."""
    count = len(ranks) or 1

    def recall(k: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= k) / count

    mrr = sum(1 / r for r in ranks if r is not None and r <= 10) / count
    ndcg = sum(1 / math.log2(r + 1) for r in ranks if r is not None and r <= 10) / count
    return {
        "recall@1": recall(1),
        "recall@5": recall(5),
        "recall@20": recall(20),
        "mrr@10": mrr,
        "ndcg@10": ndcg,
    }


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
