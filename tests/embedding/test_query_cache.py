"""The query-vector LRU in front of every embedder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.embedding.base import EmbedderInfo, create_embedder
from assistant.embedding.hashing import HashingEmbedder
from assistant.embedding.query_cache import QueryCache
from assistant.settings import EmbedderSettings


class Counting(HashingEmbedder):
    """The hashing embedder, counting the query texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__(32)
        self.asked: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.asked.extend(texts)
        return super().embed_queries(texts)


def test_a_repeated_question_is_not_embedded_again() -> None:
    inner = Counting()
    cache = QueryCache(inner, size=8)
    first = cache.embed_queries(["서울 메타버스", "首爾元宇宙"])
    again = cache.embed_queries(["首爾元宇宙", "서울 메타버스", "首爾元宇宙"])
    assert inner.asked == ["서울 메타버스", "首爾元宇宙"]
    np.testing.assert_array_equal(again, first[[1, 0, 1]])
    assert (cache.hits, cache.misses) == (3, 2)


def test_the_least_recently_asked_query_goes_first_and_passages_pass_through() -> None:
    inner = Counting()
    cache = QueryCache(inner, size=2)
    for text in ["a", "b", "a", "c", "a", "b"]:
        cache.embed_queries([text])
    assert inner.asked == ["a", "b", "c", "b"]
    cache.embed_passages(["a"])
    assert cache.embed_queries([]).shape == (0, 32)


def test_callers_cannot_change_what_is_kept() -> None:
    cache = QueryCache(Counting())
    vector = cache.embed_queries(["물류관리"])
    kept = vector.copy()
    vector[:] = 0
    np.testing.assert_array_equal(cache.embed_queries(["물류관리"]), kept)


def test_every_embedder_from_the_settings_is_cached_unless_turned_off() -> None:
    cached = create_embedder(EmbedderSettings(dimension=64))
    assert isinstance(cached, QueryCache) and cached.id == HashingEmbedder(64).id and cached.dimension == 64
    assert cached.describe() == EmbedderInfo("hashing", "character n-grams 1-3", "1", 64)
    assert isinstance(create_embedder(EmbedderSettings(query_cache=0)), HashingEmbedder)
