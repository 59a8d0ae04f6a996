"""The OpenAI-compatible embedder against a real loopback server speaking /v1/embeddings, faults included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import SecretStr

from assistant.embedding.base import Embedder, create_embedder
from assistant.embedding.openai_compatible import OpenAICompatibleEmbedder
from assistant.errors import (
    ConfigurationError,
    EmbedderResponseError,
    EmbedderUnavailableError,
    IndexMismatchError,
)
from assistant.indexing.builder import build_index, open_index
from assistant.indexing.manifest import Manifest
from assistant.indexing.storage import current_generation
from assistant.settings import EmbedderSettings, Settings
from tests.embedding.embedding_server import EmbeddingServer, Fault, text_vector
from tests.models.fake_servers import closed_port

KEY = "sk-test-0123456789"


def embedder_for(server: EmbeddingServer, sleeps: list[float] | None = None, **options: object) -> Embedder:
    settings = EmbedderSettings(name="openai", model="bge-m3", base_url=server.base_url, **options)  # type: ignore[arg-type]
    return OpenAICompatibleEmbedder(settings, sleep=(sleeps if sleeps is not None else []).append)


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def test_vectors_come_in_input_order_normalised_in_batches_with_the_key() -> None:
    texts = [f"문단 {n} 段落" for n in range(7)]
    with EmbeddingServer(dimension=12, key=KEY) as server:
        embedder = embedder_for(server, batch_size=3, api_key=SecretStr(KEY))
        vectors = embedder.embed_passages(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (7, 12)
    np.testing.assert_allclose(vectors, np.stack([unit(text_vector(t, 12)) for t in texts]), rtol=1e-5)
    assert [len(r["input"]) for r in server.requests] == [3, 3, 1]
    assert all(r["model"] == "bge-m3" and r["encoding_format"] == "float" for r in server.requests)
    assert {h["authorization"] for h in server.headers} == {f"Bearer {KEY}"}
    assert embedder.dimension == 12 and len(server.requests) == 3  # learnt from the first answer, no extra call


def test_e5_models_get_their_prefixes_and_settings_override_them() -> None:
    with EmbeddingServer() as server:
        e5 = OpenAICompatibleEmbedder(
            EmbedderSettings(name="openai", model="intfloat/multilingual-e5-small", base_url=server.base_url)
        )
        e5.embed_queries(["서울"])
        e5.embed_passages(["首爾"])
        plain = embedder_for(server, query_prefix="Q: ")
        plain.embed_queries(["서울"])
        plain.embed_passages(["首爾"])
    assert [r["input"] for r in server.requests] == [["query: 서울"], ["passage: 首爾"], ["Q: 서울"], ["首爾"]]
    assert (e5.describe().query_prefix, e5.describe().passage_prefix) == ("query: ", "passage: ")


def test_an_unknown_dimension_is_asked_of_the_server_once() -> None:
    with EmbeddingServer(dimension=24) as server:
        embedder = embedder_for(server)
        assert embedder.dimension == 24 and embedder.describe().dimension == 24
    assert len(server.requests) == 1


def test_base64_answers_are_decoded() -> None:
    with EmbeddingServer(dimension=8, as_base64=True) as server:
        vectors = embedder_for(server).embed_queries(["물류관리"])
    np.testing.assert_allclose(vectors[0], unit(text_vector("물류관리", 8)), rtol=1e-5)


def test_a_500_is_retried_then_succeeds() -> None:
    sleeps: list[float] = []
    faults = [Fault(500), Fault(503, headers={"Retry-After": "0"})]
    with EmbeddingServer(faults=faults) as server:
        vectors = embedder_for(server, sleeps).embed_passages(["訓練時間"])
    assert vectors.shape == (1, 16) and len(server.requests) == 3
    assert len(sleeps) == 2 and sleeps[1] == 0.0


def test_a_server_that_keeps_failing_is_unavailable_after_the_retries() -> None:
    with (
        EmbeddingServer(faults=[Fault(502)] * 5) as server,
        pytest.raises(EmbedderUnavailableError, match="HTTP 502") as error,
    ):
        embedder_for(server, max_retries=2).embed_passages(["x"])
    assert len(server.requests) == 3 and "Try again later" in str(error.value)


def test_a_refused_key_is_a_clear_error_that_never_shows_the_key() -> None:
    with (
        EmbeddingServer(key="the-right-one") as server,
        pytest.raises(EmbedderResponseError, match="ASSISTANT_EMBEDDER__API_KEY") as error,
    ):
        embedder_for(server, api_key=SecretStr(KEY)).embed_passages(["x"])
    assert len(server.requests) == 1  # not retried
    assert KEY not in str(error.value) and "HTTP 401" in str(error.value)


def test_a_wrong_dimension_is_a_clear_error() -> None:
    with EmbeddingServer(dimension=16) as server:
        with pytest.raises(EmbedderResponseError, match="16-dimensional") as error:
            embedder_for(server, expected_dimension=8).embed_passages(["x"])
        assert "ASSISTANT_EMBEDDER__EXPECTED_DIMENSION" in str(error.value)
        drifting = embedder_for(server)
        drifting.embed_passages(["x"])
        server.dimension = 32
        with pytest.raises(EmbedderResponseError, match=r"32-dimensional.*16 were expected"):
            drifting.embed_passages(["y"])


def test_unknown_models_bad_answers_and_bad_urls_say_what_to_fix() -> None:
    not_found = Fault(404, {"error": {"message": "model 'bge-m3' not found"}})
    with EmbeddingServer(faults=[not_found]) as server, pytest.raises(EmbedderResponseError, match="__MODEL"):
        embedder_for(server).embed_passages(["x"])
    with (
        EmbeddingServer(faults=[Fault(200, "<html>not json</html>")]) as server,
        pytest.raises(EmbedderResponseError, match="OpenAI embeddings format"),
    ):
        embedder_for(server).embed_passages(["x"])
    with pytest.raises(ConfigurationError, match="ASSISTANT_EMBEDDER__BASE_URL"):
        OpenAICompatibleEmbedder(EmbedderSettings(name="openai", base_url="ftp://example/v1")).embed_passages(["x"])


def test_an_unreachable_server_is_unavailable_after_the_retries() -> None:
    settings = EmbedderSettings(name="openai", base_url=f"http://127.0.0.1:{closed_port()}/v1", max_retries=1)
    sleeps: list[float] = []
    with pytest.raises(EmbedderUnavailableError, match="Cannot reach"):
        OpenAICompatibleEmbedder(settings, sleep=sleeps.append).embed_queries(["x"])
    assert len(sleeps) == 1


def test_an_index_built_through_the_server_refuses_another_model_or_size(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ko.md").write_text("# 물류\n\n서울시는 물류관리 훈련시간을 늘렸다.\n", encoding="utf-8")
    (corpus / "zh.md").write_text("# 物流\n\n首爾市增加了物流管理訓練時間。\n", encoding="utf-8")
    with EmbeddingServer(dimension=16) as server:
        embedder = {"name": "openai", "model": "bge-m3", "base_url": server.base_url}
        settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", embedder=embedder)
        build_index(settings)
        info = Manifest.read(current_generation(settings.index_dir)).embedder_info
        assert info == {
            "name": "openai", "model": "bge-m3", "version": "", "dimension": 16,
            "query_prefix": "", "passage_prefix": "",
        }  # fmt: skip
        assert open_index(settings).dense_search("물류관리", 2)[1].size == 2
        server.dimension = 32
        with pytest.raises(IndexMismatchError, match="dimension: index has 16, settings ask for 32") as error:
            open_index(settings)
        assert f"assistant index build --full --index {settings.index_dir}" in str(error.value)
        other = settings.model_copy(update={"embedder": EmbedderSettings(**{**embedder, "model": "nomic-embed"})})
        with pytest.raises(IndexMismatchError, match="openai:nomic-embed"):
            open_index(other)


def test_the_registry_builds_it_from_settings() -> None:
    with EmbeddingServer() as server:
        embedder = create_embedder(EmbedderSettings(name="openai", base_url=server.base_url))
        assert embedder is not None and embedder.id == "openai:intfloat/multilingual-e5-small"
        assert len(server.requests) == 0  # building it asks nothing of the server
