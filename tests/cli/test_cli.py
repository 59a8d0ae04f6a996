"""The command line, run as a subprocess the way users run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "assistant", *args]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    environment.update(env or {})
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("cli") / "index"
    result = run("index", "build", "--corpus", str(CORPUS), "--index", str(index))
    assert result.returncode == 0, result.stderr
    assert "full:" in result.stdout and "passages" in result.stdout and "zh-Hant" in result.stdout
    return index


def test_search_json_lists_hits_with_every_field(built: Path) -> None:
    result = run("search", "首爾市 元宇宙 七大領域", "-k", "3", "--index", str(built), "--json")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    keys = {
        "passage_id",
        "document_id",
        "title",
        "section",
        "source",
        "language",
        "text",
        "start",
        "end",
        "score",
    }
    assert all(set(hit) == keys for hit in hits)
    assert hits[0]["source"].startswith("https://") and hits[0]["score"] >= hits[-1]["score"]


def test_search_prints_numbered_sources(built: Path) -> None:
    result = run("search", "송상훈 실장 발언", "--index", str(built))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[1] ") and "https://newsdao.kr/4636" in result.stdout


def test_rebuild_without_changes_is_unchanged_and_info_shows_the_manifest(built: Path) -> None:
    again = run("index", "build", "--corpus", str(CORPUS), "--index", str(built))
    assert again.returncode == 0 and again.stdout.startswith("unchanged:")
    info = run("index", "info", "--index", str(built), "--json")
    assert json.loads(info.stdout)["embedder"].startswith("hashing")


def test_errors_are_one_clear_line_without_traceback(tmp_path: Path, built: Path) -> None:
    missing = run("index", "build", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "i"))
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    no_index = run("search", "메타버스", "--index", str(tmp_path / "none"))
    assert no_index.returncode == 2 and "assistant index build" in no_index.stderr
    mismatch = run("search", "메타버스", "--index", str(built), env={"ASSISTANT_CHUNKING__SIZE": "900"})
    assert mismatch.returncode == 2 and "other settings" in mismatch.stderr and "Traceback" not in mismatch.stderr
    bad_setting = run("search", "메타버스", "--index", str(built), env={"ASSISTANT_RETRIEVAL__TOP_K": "zero"})
    assert bad_setting.returncode == 2 and "retrieval.top_k" in bad_setting.stderr
    empty = run("search", " ", "--index", str(built))
    assert empty.returncode == 2 and "empty" in empty.stderr


def test_add_and_remove_one_document(tmp_path: Path, built: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(built, index)  # the demo corpus as ``built`` indexed it with the same command (not built again)
    note = tmp_path / "busan-note.md"
    note.write_text("---\ntitle: 부산 메모\n---\n\n부산시는 해양 메타버스 박물관을 준비한다.\n", encoding="utf-8")
    added = run("index", "add", str(note), "--index", str(index))
    assert added.returncode == 0 and "added 1" in added.stdout
    found = json.loads(run("search", "해양 메타버스 박물관", "--index", str(index), "--json").stdout)
    assert found[0]["document_id"] == "busan-note"
    assert run("index", "remove", "busan-note", "--index", str(index)).returncode == 0
    gone = json.loads(run("search", "해양 메타버스 박물관", "--index", str(index), "--json").stdout)
    assert all(hit["document_id"] != "busan-note" for hit in gone)


def test_eval_squad_reports_the_metrics(tmp_path: Path) -> None:
    data = {
        "version": "tiny",
        "data": [
            {"title": "서울", "paragraphs": [
                {"context": "서울시는 2021년 11월 메타버스 서울 기본계획을 발표했다. "
                            "일곱 개 분야에서 스무 개 사업을 추진한다.",
                 "qas": [{"id": "q1", "question": "메타버스 서울 기본계획은 언제 발표됐나?",
                          "answers": [{"text": "2021년 11월", "answer_start": 4}]}]},
                {"context": "과학기술정보통신부는 2020년 12월 가상융합경제 발전전략을 내놓았다.",
                 "qas": [{"id": "q2", "question": "가상융합경제 발전전략을 내놓은 부처는?",
                          "answers": [{"text": "과학기술정보통신부", "answer_start": 0}]}]},
            ]},
        ],
    }  # fmt: skip
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run("eval", "squad", str(path), "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    for key in ("recall@1", "recall@5", "recall@20", "mrr@10", "ndcg@10", "index_seconds", "query_p50_ms",
                "query_p95_ms", "passages", "questions"):  # fmt: skip
        assert key in metrics
    assert metrics["questions"] == 2 and metrics["recall@1"] == 1.0
    assert metrics["per_file"]["tiny"]["questions"] == 2
    table = run("eval", "squad", str(path), "--limit", "1")
    assert table.returncode == 0 and "overall" in table.stdout and "recall@1" in table.stdout
    broken = tmp_path / "broken.json"
    broken.write_text("{}", encoding="utf-8")
    failed = run("eval", "squad", str(broken))
    assert failed.returncode == 2 and "SQuAD-style" in failed.stderr


def test_help_describes_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0 and "index" in result.stdout and "search" in result.stdout
    assert "recall@1" in run("eval", "squad", "--help").stdout
