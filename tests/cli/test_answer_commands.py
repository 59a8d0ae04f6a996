"""``assistant ask`` and ``assistant chat`` as subprocesses, over the demo index built by the CLI tests' fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli.test_cli import built, run  # noqa: F401  (module fixture reused)
from tests.conftest import ROOT

ANSWER_KEYS = {"answer", "citations", "grounded", "fallback", "language", "timings_ms"}
CITATION_KEYS = {"n", "passage_id", "document_id", "title", "source", "text", "start", "end", "score"}


def data_env(tmp_path: Path) -> dict[str, str]:
    return {"ASSISTANT_CONVERSATIONS__PATH": str(tmp_path / "conversations.sqlite3")}


def test_ask_json_prints_the_answer_shape(built: Path, tmp_path: Path) -> None:  # noqa: F811
    result = run(
        "ask", "가상융합산업 기본계획 담당 부서는 어디인가요?", "--index", str(built), "--json", env=data_env(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) >= ANSWER_KEYS
    assert answer["language"] == "ko" and answer["grounded"] and not answer["fallback"]
    assert answer["citations"] and all(set(c) >= CITATION_KEYS for c in answer["citations"])
    assert all(f"[{c['n']}]" in answer["answer"] for c in answer["citations"])


def test_ask_prints_the_answer_then_numbered_sources_and_follows_up(built: Path, tmp_path: Path) -> None:  # noqa: F811
    first = run("ask", "메타버스 서울 기본계획의 추진 분야는?", "--index", str(built), env=data_env(tmp_path))
    assert first.returncode == 0, first.stderr
    assert "\n[1] " in first.stdout or first.stdout.startswith("[1] ")
    assert "https://" in first.stdout
    conversation = first.stderr.split("conversation: ")[1].split()[0]
    follow = run("ask", "그럼 기간은?", "--conversation", conversation, "--index", str(built), "--json",
                 env=data_env(tmp_path))  # fmt: skip
    assert follow.returncode == 0, follow.stderr
    answer = json.loads(follow.stdout)
    assert answer["conversation_id"] == conversation and "서울" in answer["query"]


def test_ask_with_an_unreachable_model_still_answers_marked_as_fallback(built: Path, tmp_path: Path) -> None:  # noqa: F811
    env = {
        **data_env(tmp_path),
        "ASSISTANT_MODEL__BASE_URL": "http://127.0.0.1:9/v1",
        "ASSISTANT_MODEL__MAX_RETRIES": "0",
    }
    question = "가상융합산업 기본계획 담당 부서는 어디인가요?"
    result = run("ask", question, "--model", "openai", "--index", str(built), "--json", env=env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["fallback"] and answer["fallback_reason"] and answer["citations"]


def test_ask_without_an_index_says_how_to_build_one(tmp_path: Path) -> None:
    result = run("ask", "질문", "--index", str(tmp_path / "none"), env=data_env(tmp_path))
    assert result.returncode == 2
    assert "assistant index build" in result.stderr and "Traceback" not in result.stderr


def test_chat_streams_answers_and_keeps_the_conversation(built: Path, tmp_path: Path) -> None:  # noqa: F811
    command = [sys.executable, "-m", "assistant", "chat", "--index", str(built)]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}, **data_env(tmp_path)}
    lines = "首爾市的元宇宙平台預計哪一年完成？\n那預算呢？\n\n/quit\n"
    result = subprocess.run(command, cwd=ROOT, env=env, input=lines, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("[1] ") >= 2
    assert "conversation: " in result.stderr and "Traceback" not in result.stderr
