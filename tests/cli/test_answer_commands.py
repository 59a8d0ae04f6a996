"""``assistant ask`` and ``assistant chat`` as subprocesses, over the demo index built by the CLI tests' fixture."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli.answer_commands import print_answer
from tests.api.test_bot_replies import NEWS, NOT_FOUND, abstained, related_hit, with_short_answer
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


PHONE_QUESTION = "가상융합산업 진흥 기본계획 담당 부서 전화번호는?"
OFF_TOPIC = "내일 서울 날씨 어때요?"


def test_printed_answers_put_the_short_answer_first_and_related_documents_apart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_answer(with_short_answer())
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "→ 044-202-6352" and lines[1].startswith("044-202-6352 — ") and lines[3].startswith("[1] ")
    print_answer(abstained([related_hit(1, NEWS, section="개요"), related_hit(2, "corpus/notes.md")]))
    out = capsys.readouterr().out
    said, _, related = out.partition("\n\nRelated documents:\n")
    assert said == NOT_FOUND and "→" not in out and "[1]" not in out
    title, link, excerpt = related.splitlines()[:3]
    assert title == "  - 관련 문서 1번 · 개요" and link == f"    {NEWS}"
    assert excerpt.startswith("    “서울시는 2026년까지 메타버스") and excerpt.endswith("” (doc1)")
    assert "  - 관련 문서 2번" in related


def test_ask_prints_the_short_answer_first(built: Path, tmp_path: Path) -> None:  # noqa: F811
    """Needs the core's short answers (the contact question's phrase is the phone number)."""
    result = run("ask", PHONE_QUESTION, "--index", str(built), env=data_env(tmp_path))
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()[:2]
    assert first.startswith("→ ") and "044-202-6352" in first and "[1]" in second
    assert "\n[1] " in result.stdout


def test_ask_off_topic_says_so_and_lists_related_documents_without_sources(built: Path, tmp_path: Path) -> None:  # noqa: F811
    """Needs the core's abstention."""
    result = run("ask", OFF_TOPIC, "--index", str(built), env=data_env(tmp_path))
    assert result.returncode == 0, result.stderr
    said, _, related = result.stdout.partition("\n\nRelated documents:\n")
    assert "찾지 못했습니다" in said and related.startswith("  - ")
    assert not re.search(r"^\[\d+\] ", result.stdout, re.MULTILINE) and "→" not in result.stdout
    answer = json.loads(run("ask", OFF_TOPIC, "--index", str(built), "--json", env=data_env(tmp_path)).stdout)
    assert answer["abstained"] and answer["citations"] == [] and answer["related"] and not answer["grounded"]
    assert answer["related"][0]["n"] == 1 and answer["short_answer"] is None


def test_chat_shows_short_answers_and_related_documents_at_the_end_of_each_answer(built: Path, tmp_path: Path) -> None:  # noqa: F811
    """Needs the core's short answers and abstention."""
    command = [sys.executable, "-m", "assistant", "chat", "--index", str(built)]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}, **data_env(tmp_path)}
    lines = f"{OFF_TOPIC}\n/new\n{PHONE_QUESTION}\n/quit\n"
    result = subprocess.run(command, cwd=ROOT, env=env, input=lines, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout  # the text streams first; the short answer follows it, then the sources
    related = out.index("\nRelated documents:\n")
    short = re.search(r"^→ (.*)$", out, re.MULTILINE)
    source = re.search(r"^\[1\] ", out, re.MULTILINE)
    assert "찾지 못했습니다" in out[:related] and short and source and related < short.start() < source.start()
    assert "044-202-6352" in short.group(1)


def test_the_help_example_question_is_one_the_demo_corpus_answers(built: Path, tmp_path: Path) -> None:  # noqa: F811
    usage = run("--help")
    assert usage.returncode == 0, usage.stderr
    (question,) = re.findall(r'assistant ask "([^"]+)"', usage.stdout)
    result = run("ask", question, "--index", str(built), "--json", env=data_env(tmp_path))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert not answer["abstained"] and answer["grounded"] and answer["short_answer"] == "044-202-6352"
