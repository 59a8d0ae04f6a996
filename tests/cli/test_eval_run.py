"""``assistant eval run`` as users and CI run it: the demo set against its committed baseline, reports, the cache."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tests.conftest import ROOT
from tests.models.fake_servers import Reply, serving, sse

DEMO = ROOT / "eval" / "demo.jsonl"
BASELINE = ROOT / "eval" / "demo-baseline.json"
CASES = 161
GROUPS = ("overall", "ko", "zh-Hans", "zh-Hant", "cross-lingual", "ko-question-zh-answer", "zh-question-ko-answer")
METRICS = ("recall@1", "recall@5", "mrr@10", "ndcg@10", "exact_match", "char_f1", "answer_contains",
           "citation_precision", "citation_recall", "unsupported_citation_rate", "abstention_accuracy",
           "fallback_rate", "retrieval_p50_ms", "total_p50_ms", "total_p95_ms")  # fmt: skip
Gate = tuple[subprocess.CompletedProcess[str], Path]


@pytest.fixture(scope="module")
def gate(demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Gate:
    """The demo set run once against the committed baseline, keeping its answers in a cache."""
    out = tmp_path_factory.mktemp("eval-run")
    result = run(
        "eval", "run", str(DEMO), "--index", str(demo_index_dir), "--json", str(out / "result.json"),
        "--report", str(out / "report"), "--compare", str(BASELINE), "--cache", str(out / "cache"),
    )  # fmt: skip
    return result, out


def test_the_demo_set_holds_its_committed_baseline(gate: Gate) -> None:
    result, out = gate
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASSED: no metric dropped by more than 0.02" in result.stdout
    assert result.stdout.startswith("| metric | " + " | ".join(GROUPS) + " |")
    data = json.loads((out / "result.json").read_text(encoding="utf-8"))
    for group in GROUPS:
        assert all(metric in data[group] for metric in METRICS), group
    assert data["run"]["cases"] == CASES and data["run"]["model"] == "extractive" and "judged" not in data
    assert len(data["cases"]) == CASES
    page = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 3 and "Worst cases" in page


def test_a_worse_result_fails_the_gate_and_the_cache_answers_it(
    demo_index_dir: Path, gate: Gate, tmp_path: Path
) -> None:
    _, out = gate
    better = json.loads(BASELINE.read_text(encoding="utf-8"))
    better["overall"]["answer_contains"] += 0.1  # the run now looks 0.1 worse than this baseline
    better["zh-Hant"]["recall@5"] += 0.01  # within the tolerance
    doctored = tmp_path / "better-baseline.json"
    doctored.write_text(json.dumps(better), encoding="utf-8")
    result = run("eval", "run", str(DEMO), "--index", str(demo_index_dir), "--compare", str(doctored),
                 "--cache", str(out / "cache"), "--json", str(tmp_path / "again.json"))  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED against the baseline" in result.stdout and "overall answer_contains (regressed)" in result.stdout
    assert "zh-Hant recall@5 (regressed)" not in result.stdout
    assert "write a new baseline with --json" in result.stderr
    again = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    assert again["run"]["reused"] == CASES  # every answer came from the first run's cache
    assert run("eval", "run", str(DEMO), "--index", str(demo_index_dir), "--compare", str(doctored),
               "--cache", str(out / "cache"), "--tolerance", "0.2").returncode == 0  # fmt: skip


def test_errors_are_one_clear_line(demo_index_dir: Path, tmp_path: Path) -> None:
    not_a_result = tmp_path / "baseline.json"
    not_a_result.write_text('{"recall": 1}', encoding="utf-8")
    bad = run("eval", "run", str(DEMO), "--index", str(demo_index_dir), "--compare", str(not_a_result))
    assert bad.returncode == 2 and "not an evaluation result" in bad.stderr and "Traceback" not in bad.stderr
    judge = run("eval", "run", str(DEMO), "--index", str(demo_index_dir), "--judge")
    assert judge.returncode == 2 and "--judge needs a language model" in judge.stderr


def test_a_hosted_model_is_judged_and_not_paid_twice(demo_index_dir: Path, tmp_path: Path) -> None:
    cases = [line for line in DEMO.read_text(encoding="utf-8").splitlines() if '"conversation"' not in line]
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(cases[:2] + [line for line in cases if '"answerable": false' in line][:1]) + "\n",
                     encoding="utf-8")  # fmt: skip
    # Every request, answer or judgment, gets "1 [1]": an answer citing passage 1, and a judge's full score.
    reply = Reply(parts=[sse({"choices": [{"delta": {"content": "1 [1]"}}]}, "[DONE]")])
    with serving(reply) as server:
        env = {"ASSISTANT_MODEL__NAME": "openai", "ASSISTANT_MODEL__BASE_URL": f"{server.url}/v1",
               "ASSISTANT_MODEL__MAX_RETRIES": "0"}  # fmt: skip
        index = tmp_path / "index"
        index.symlink_to(demo_index_dir, target_is_directory=True)
        args = ("eval", "run", str(small), "--index", str(index), "--json", str(tmp_path / "result.json"))
        first = run(*args, env=env)
        assert first.returncode == 0, first.stdout + first.stderr
        asked = len(server.requests)
        second = run(*args, env=env)
        assert second.returncode == 0 and len(server.requests) == asked  # answers and judgments from the cache
        assert "3 answers from the cache" in second.stdout
        fresh = run(*args, "--fresh", env=env)
        assert fresh.returncode == 0 and len(server.requests) == 2 * asked
    assert asked >= 2 and all(r.path == "/v1/chat/completions" for r in server.requests)
    assert (tmp_path / ".eval-cache").is_dir()  # beside the index folder by default
    data = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert data["run"]["model"] != "extractive" and data["run"]["reused"] == 0
    judged = data["judged"]["overall"]
    assert judged["correctness"] == 1.0 and judged["correctness_judged"] == 2 and judged["judge_failures"] == 0
    assert "Judged by the model" in first.stdout
