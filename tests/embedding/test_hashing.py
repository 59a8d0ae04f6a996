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


def _one_text(text: str, dimension: int) -> np.ndarray:
    """The embedder's vector of one normalised text as it was first written, one text at a time (the reference
    the batched version must match bit for bit: an index built before it must not change)."""
    from assistant.embedding.hashing import _NGRAM_WEIGHTS, _PRIMES

    codes = np.frombuffer("".join(text.split()).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    vector = np.zeros(dimension, dtype=np.float64)
    for n, weight in zip((1, 2, 3), _NGRAM_WEIGHTS, strict=True):
        if len(codes) < n:
            break
        hashed = np.zeros(len(codes) - n + 1, dtype=np.uint64)
        for k in range(n):
            hashed = hashed * np.uint64(1_000_003) + codes[k : len(codes) - n + 1 + k] * _PRIMES[k]
        hashed ^= hashed >> np.uint64(29)
        buckets, counts = np.unique(hashed, return_counts=True)
        signs = np.where((buckets >> np.uint64(40)) & np.uint64(1), 1.0, -1.0)
        np.add.at(vector, (buckets % np.uint64(dimension)).astype(np.int64), weight * signs * (1.0 + np.log(counts)))
    return vector.astype(np.float32)


def test_a_batch_gives_each_text_its_own_vector_bit_for_bit() -> None:
    texts = ["", "a", "ab", " a b ", "가", "서울 서울 서울시 메타버스", "虛擬融合經濟發展戰略" * 7, "x y\nz", "aaaa"]
    texts.append("\n\t ")
    embedder = HashingEmbedder(64)
    batch = embedder._vectors(texts)
    reference = np.stack([_one_text(text, 64) for text in texts])
    np.testing.assert_array_equal(batch.view(np.uint32), reference.view(np.uint32))
    alone = np.concatenate([embedder.embed_passages([text]) for text in texts])
    np.testing.assert_array_equal(embedder.embed_passages(texts).view(np.uint32), alone.view(np.uint32))
