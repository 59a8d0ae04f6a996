"""The README's quick start, run as a newcomer would: in a folder outside the checkout, with documents of
their own, no ``prompts/`` folder and no settings pointing back at the checkout."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.serve_process import serving
from tests.cli.test_cli import run
from tests.conftest import ROOT

KOREAN = """---
title: 메타버스 도서관 시범 사업
source: https://example.org/metaverse-library
lang: ko
---
# 메타버스 도서관 시범 사업

과학기술정보통신부는 2025년에 메타버스 도서관 시범 사업을 시작한다. 시범 사업에는 전국 12개 공공도서관이 참여한다.
이용자는 가상 열람실에서 사서와 음성으로 대화하며 책을 추천받을 수 있다.

## 예산

시범 사업의 예산은 45억 원이며, 그중 절반은 장애인 이용자를 위한 접근성 기능에 쓰인다.
"""
CHINESE = """---
title: 扩展现实课堂计划
source: https://example.org/xr-classroom
lang: zh-Hans
---
# 扩展现实课堂计划

首尔市教育厅计划在2026年前为80所中学建设扩展现实课堂。学生可以戴上头显，在虚拟实验室里完成化学实验。

## 教师培训

每所学校将有两名教师接受为期三周的专门培训，培训费用由首尔市承担。
"""
UPLOADED = "부산시는 2027년에 해양 메타버스 박물관 바다누리관을 연다. 바다누리관에는 가상 잠수정 체험실이 있다.\n"
KO_QUESTION = "메타버스 도서관 시범 사업에 참여하는 공공도서관은 몇 곳인가요?"
ZH_QUESTION = "首尔市教育厅计划为多少所中学建设扩展现实课堂？"
BUILD = ("index", "build", "--corpus", "docs", "--index", "index")


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~/notes of the README: two documents in docs/, indexed from there with the README's command."""
    folder = tmp_path_factory.mktemp("notes")
    assert not folder.is_relative_to(ROOT)
    (folder / "docs").mkdir()
    (folder / "docs" / "ko-metaverse-library.md").write_text(KOREAN, encoding="utf-8")
    (folder / "docs" / "zh-hans-xr-classroom.md").write_text(CHINESE, encoding="utf-8")
    built = run(*BUILD, cwd=folder)
    assert built.returncode == 0, built.stderr
    assert "full: 2 documents" in built.stdout and "ko: " in built.stdout and "zh-Hans: " in built.stdout
    return folder


def test_the_readme_shows_these_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in (f"assistant {' '.join(BUILD)}", f'assistant ask "{KO_QUESTION}"', f'assistant ask "{ZH_QUESTION}"',
                 "assistant serve"):  # fmt: skip
        assert line in readme, line


def test_ask_answers_with_citations_in_the_notes_folder(notes: Path) -> None:
    assert not (notes / "prompts").exists()
    korean = run("ask", KO_QUESTION, cwd=notes)
    assert korean.returncode == 0, korean.stderr
    assert "12" in korean.stdout and "[1]" in korean.stdout
    assert "https://example.org/metaverse-library" in korean.stdout and "(ko-metaverse-library, chars" in korean.stdout
    chinese = run("ask", ZH_QUESTION, "--json", cwd=notes)
    assert chinese.returncode == 0, chinese.stderr
    answer = json.loads(chinese.stdout)
    assert "80" in answer["answer"] and "[1]" in answer["answer"] and answer["grounded"]
    assert answer["citations"][0]["document_id"] == "zh-hans-xr-classroom"


def test_ask_works_from_any_folder_with_the_index_named(notes: Path, tmp_path: Path) -> None:
    answered = run("ask", KO_QUESTION, "--index", str(notes / "index"), cwd=tmp_path)
    assert answered.returncode == 0, answered.stderr
    assert "[1]" in answered.stdout and "(ko-metaverse-library, chars" in answered.stdout


@pytest.fixture
def served(notes: Path) -> Iterator[str]:
    """``assistant serve --port 0`` started in the notes folder as the README says; yields its URL."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    environment["COLUMNS"] = "200"  # one log line per message
    with serving(["--port", "0"], notes, environment) as (url, log):
        assert any(f"corpus folder (uploads are kept there): {notes / 'docs'}" in line for line in log), log
        yield url


def test_serve_answers_with_citations_and_keeps_uploads_in_the_indexed_folder(notes: Path, served: str) -> None:
    for question, document in ((KO_QUESTION, "ko-metaverse-library"), (ZH_QUESTION, "zh-hans-xr-classroom")):
        response = httpx.post(f"{served}/v1/answer", json={"question": question}, timeout=60)
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body["abstained"] and "[1]" in body["answer"]
        assert body["citations"][0]["document_id"] == document
    upload = httpx.post(
        f"{served}/v1/documents", files={"file": ("ko-sea-museum.txt", "해양 메타버스 박물관\n" + UPLOADED)}, timeout=60
    )
    assert upload.status_code == 201, upload.text
    assert (notes / "docs" / "ko-sea-museum.txt").is_file()
    assert not (notes / "corpus").exists()  # never the current folder's corpus/
    assert sorted(p.name for p in (notes / "docs").iterdir()) == [
        "ko-metaverse-library.md", "ko-sea-museum.txt", "zh-hans-xr-classroom.md",
    ]  # nothing staged left behind  # fmt: skip
    answer = httpx.post(f"{served}/v1/answer", json={"question": "바다누리관은 언제 문을 여나요?"}, timeout=60).json()
    assert "2027" in answer["answer"] and answer["citations"][0]["document_id"] == "ko-sea-museum"
    rebuilt = run("index", "build", "--index", "index", cwd=notes)  # no --corpus: the recorded docs/
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "unchanged" in rebuilt.stdout, rebuilt.stdout
