"""Which corpus folder goes with an index: the one given, else the one it was built from, else beside it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.errors import DocumentError
from assistant.indexing.builder import build_index
from assistant.indexing.corpus_location import corpus_folder, corpus_record, recorded_corpus
from assistant.indexing.live import LiveIndex
from assistant.indexing.storage import current_generation
from assistant.settings import Settings
from tests.conftest import CORPUS


def small_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("ko-xr-defense.md", "zh-hans-seoul-tourism.md"):
        shutil.copy(CORPUS / name, folder / name)
    return folder


def test_an_index_records_the_folder_it_was_built_from_relative_to_itself(tmp_path: Path) -> None:
    docs = small_corpus(tmp_path / "my docs")
    build_index(Settings(corpus_dir=docs, index_dir=tmp_path / "work" / "idx"))
    manifest = json.loads((current_generation(tmp_path / "work" / "idx") / "manifest.json").read_text("utf-8"))
    assert manifest["corpus_folder"] == "../../my docs"
    assert recorded_corpus(tmp_path / "work" / "idx") == docs


def test_the_record_follows_an_index_moved_with_its_corpus(tmp_path: Path) -> None:
    small_corpus(tmp_path / "project" / "docs")
    build_index(Settings(corpus_dir=tmp_path / "project" / "docs", index_dir=tmp_path / "project" / "index"))
    shutil.move(tmp_path / "project", tmp_path / "moved")
    assert corpus_folder(Settings(index_dir=tmp_path / "moved" / "index")) == tmp_path / "moved" / "docs"


def test_a_given_folder_wins_then_the_record_then_corpus_beside_the_index(tmp_path: Path) -> None:
    docs = small_corpus(tmp_path / "docs")
    index = tmp_path / "idx"
    assert corpus_folder(Settings(index_dir=index)) == tmp_path / "corpus"  # nothing built yet: beside it
    assert corpus_folder(Settings()) == Path("corpus")  # ./corpus beside the default ./index
    build_index(Settings(corpus_dir=docs, index_dir=index))
    assert corpus_folder(Settings(index_dir=index)) == docs
    assert corpus_folder(Settings(index_dir=index, corpus_dir=tmp_path / "other")) == tmp_path / "other"


def test_a_rebuild_without_a_corpus_reads_the_recorded_one(tmp_path: Path) -> None:
    docs = small_corpus(tmp_path / "docs")
    index = tmp_path / "idx"
    build_index(Settings(corpus_dir=docs, index_dir=index))
    (docs / "zh-hans-seoul-tourism.md").unlink()
    report = build_index(Settings(index_dir=index))  # not ./corpus of wherever the tests run
    assert report.mode == "incremental" and report.removed == ["zh-hans-seoul-tourism"]


def test_an_index_from_before_the_record_gets_it_at_its_next_build(tmp_path: Path) -> None:
    docs = small_corpus(tmp_path / "docs")
    index = tmp_path / "idx"
    build_index(Settings(corpus_dir=docs, index_dir=index))
    manifest = current_generation(index) / "manifest.json"
    data = json.loads(manifest.read_text("utf-8"))
    del data["corpus_folder"]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert recorded_corpus(index) is None
    assert build_index(Settings(corpus_dir=docs, index_dir=index)).mode == "unchanged"
    assert recorded_corpus(index) == docs


def test_uploads_go_to_the_corpus_the_index_was_built_from_not_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = small_corpus(tmp_path / "docs")
    build_index(Settings(corpus_dir=docs, index_dir=tmp_path / "idx"))
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "corpus").mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    live = LiveIndex(Settings(index_dir=tmp_path / "idx"))
    try:
        live.add_text({"id": "upload-note", "title": "메모", "text": "제주 풍력 단지는 2030년에 완공된다."})
        with pytest.raises(DocumentError, match="Unsupported file type"):
            live.add_file("notes.exe", b"MZ")
    finally:
        live.close()
    assert (docs / "upload-note.jsonl").is_file()
    assert not any((elsewhere / "corpus").iterdir()) and not (elsewhere / ".uploads").exists()
    assert sorted(p.name for p in docs.iterdir()) == ["ko-xr-defense.md", "upload-note.jsonl",
                                                      "zh-hans-seoul-tourism.md"]  # fmt: skip


def test_corpus_record_is_relative_where_it_can_be(tmp_path: Path) -> None:
    assert corpus_record(tmp_path / "a" / "corpus", tmp_path / "a" / "index") == "../corpus"
    assert corpus_record(tmp_path / "index" / "docs", tmp_path / "index") == "docs"
