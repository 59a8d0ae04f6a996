"""``kill -9`` during a real ``assistant index build`` subprocess, at each stage its own progress output names.

After every kill the previous generation (or, if the build got past its swap, the new complete one) is
served and answers; after all of them a build runs to the end and leaves no leftovers behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from assistant.indexing.builder import build_index, open_index
from assistant.indexing.storage import POINTER, current_generation
from assistant.retrieval.retriever import Retriever
from assistant.settings import Settings
from tests.conftest import ROOT
from tests.indexing.test_search_index import copy_corpus

# The build's own log lines (stderr), in the order it prints them, and whether a kill there can come too late
# to stop the swap (the stages after it are milliseconds long).
STAGES = [
    ("reading the corpus in", False),  # before anything is read or written
    ("indexing ", False),  # while the changed documents are analysed
    ("writing index generation", True),  # while the generation's files are written
    ("publishing index generation", True),  # while it is renamed into place and CURRENT is replaced
]


def build(corpus: Path, index: Path, kill_at: str | None = None) -> tuple[int, list[str]]:
    """Run ``assistant index build``; with ``kill_at``, SIGKILL it the moment a stderr line holds that text."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"COLUMNS": "1000", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    command = [sys.executable, "-m", "assistant", "index", "build", "--corpus", str(corpus), "--index", str(index)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )  # fmt: skip
    assert process.stderr is not None
    lines: list[str] = []
    try:
        for line in process.stderr:
            lines.append(line.rstrip())
            if kill_at is not None and kill_at in line:
                os.kill(process.pid, signal.SIGKILL)
                break
        return process.wait(120), lines
    finally:
        process.stderr.close()
        if process.poll() is None:
            process.kill()


def leftovers(index: Path) -> list[str]:
    """What is in the index folder besides the pointer, its lock and the generations that can be served."""
    return sorted(
        p.name for p in index.iterdir()
        if p.name not in (POINTER, ".lock") and not (p.name.startswith("gen-") and (p / "manifest.json").is_file())
    )  # fmt: skip


def test_kill_9_at_any_stage_leaves_the_previous_index_serving_and_the_next_build_works(
    tmp_path: Path, settings: Settings
) -> None:
    corpus = copy_corpus(tmp_path)
    long_paragraphs = "\n\n".join(
        f"부산 해양 체험관 {n}호관은 {n % 12 + 1}월에 문을 열고 {n}명을 맞는다." for n in range(900)
    )
    (corpus / "long-report.md").write_text("# 긴 보고서\n\n" + long_paragraphs, encoding="utf-8")
    build_index(settings, corpus_dir=corpus)  # the generation that must keep serving
    index = settings.index_dir
    seen: list[str] = []
    for n, (stage, may_finish) in enumerate(STAGES):
        before = current_generation(index)
        (corpus / f"note-{n}.txt").write_text(f"새 문서 {n}\n울산시는 수소 버스 {n}대를 들인다.", encoding="utf-8")
        status, lines = build(corpus, index, kill_at=stage)
        assert status == -signal.SIGKILL, f"the build ended ({status}) before printing {stage!r}:\n" + "\n".join(lines)
        served = current_generation(index)
        if not may_finish:
            assert served == before, stage
        assert served == before or served.name > before.name, stage
        retriever = Retriever(open_index(settings), settings.retrieval)
        assert retriever.search("부산 해양 체험관 7호관")[0].passage.document_id == "long-report"
        seen.append(
            f"{stage!r}: {'previous' if served == before else 'new'} generation serving, left {leftovers(index)}"
        )

    status, lines = build(corpus, index)
    assert status == 0, "\n".join(lines)
    print("\n".join(seen))
    assert leftovers(index) == []
    assert len([p for p in index.iterdir() if p.name.startswith("gen-")]) <= 2
    documents = open_index(settings).documents
    assert {f"note-{n}" for n in range(len(STAGES))} <= set(documents) and "long-report" in documents
