"""The offline hashing embedder."""

from __future__ import annotations

import numpy as np

from assistant.embedding.base import Embedder
from assistant.embedding.hashing import HashingEmbedder


def test_vectors_are_unit_float32_and_deterministic() -> None:
    embedder = HashingEmbedder(64)
    assert isinstance(embedder, Embedder)
    vectors = embedder.embed_passages(["首爾市元宇宙規劃", "메타버스 서울", ""])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 64)
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, rtol=1e-5)
    assert not vectors[2].any()
    np.testing.assert_array_equal(
        vectors, HashingEmbedder(64).embed_passages(["首爾市元宇宙規劃", "메타버스 서울", ""])
    )


def test_scripts_meet_and_unrelated_texts_stay_apart() -> None:
    embedder = HashingEmbedder()
    traditional, simplified, korean = embedder.embed_passages(
        ["虛擬融合經濟發展戰略", "虚拟融合经济发展战略", "축구 경기"]
    )
    assert traditional @ simplified > 0.99
    assert abs(traditional @ korean) < 0.2
