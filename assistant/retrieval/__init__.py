"""Hybrid retrieval: keyword and dense results fused into ranked, cut, cited hits."""
