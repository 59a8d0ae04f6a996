"""Startup stays light: with the hashing embedder and the extractive composer, ``ask`` and the HTTP app never
import torch, sentence-transformers or transformers (seconds of imports and hundreds of MB for nothing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

HEAVY = ("torch", "sentence_transformers", "transformers", "bs4")
LIGHT_BACKENDS = {"ASSISTANT_EMBEDDER__NAME": "hashing", "ASSISTANT_MODEL__NAME": "extractive"}
# Runs the CLI in the child process, then reports which heavy modules it had imported by the end.
ASK_AND_REPORT = """
import json, runpy, sys
report, heavy = sys.argv[1], sys.argv[2].split(",")
sys.argv = ["assistant", *sys.argv[3:]]
try:
    runpy.run_module("assistant", run_name="__main__")
except SystemExit as exit:
    code = exit.code
with open(report, "w") as out:
    json.dump({"code": code, "imported": [name for name in heavy if name in sys.modules]}, out)
"""


def _light_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a child process: light backends, conversations under ``tmp_path``, this tree first."""
    env = {
        **os.environ, **LIGHT_BACKENDS, "PYTHONPATH": str(ROOT),
        "ASSISTANT_CONVERSATIONS__PATH": str(tmp_path / "conversations.sqlite3"),
    }  # fmt: skip
    return env


def _imported_by(args: list[str], tmp_path: Path) -> dict[str, object]:
    env = _light_env(tmp_path)
    report = tmp_path / "imports.json"
    command = [sys.executable, "-c", ASK_AND_REPORT, str(report), ",".join(HEAVY), *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert report.exists(), result.stderr
    found: dict[str, object] = json.loads(report.read_text())
    return found


def test_ask_with_light_backends_imports_no_neural_packages(demo_index_dir: Path, tmp_path: Path) -> None:
    question = "가상융합산업 진흥 기본계획은 언제 발표됐나요?"
    found = _imported_by(["ask", "--index", str(demo_index_dir), "--json", question], tmp_path)
    assert found["code"] in (0, None) and found["imported"] == []


def test_the_http_app_and_its_warm_up_import_no_neural_packages(demo_index_dir: Path, tmp_path: Path) -> None:
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from assistant.api.app import create_app\n"
        "from assistant.core import Assistant\n"
        "from assistant.settings import Settings\n"
        f"assistant = Assistant.from_settings(Settings(index_dir=Path({str(demo_index_dir)!r})))\n"
        "asyncio.run(assistant.warm_up())\n"
        "create_app(assistant.settings, assistant)\n"
        "asyncio.run(assistant.aclose())\n"
    )
    assert _run_script(script, tmp_path) == []


def _run_script(script: str, tmp_path: Path) -> list[str]:
    """Which heavy modules a Python script had imported when it finished."""
    env = _light_env(tmp_path)
    check = f"{script}\nimport json\nprint(json.dumps([n for n in {list(HEAVY)!r} if n in sys.modules]))\n"
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    imported: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return imported
