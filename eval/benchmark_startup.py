"""Startup benchmark: how long ``assistant serve`` takes until /readyz answers 200, and one ``assistant ask``.

    .venv/bin/python eval/benchmark_startup.py --index /tmp/demo-index [--runs 3] [--question Q] [--json FILE]

Build the index first (``assistant index build --corpus corpus --index /tmp/demo-index``). Each run starts a
fresh process, so every figure includes imports and loading the analysers (kiwi, jieba, OpenCC). Wall seconds
swing with the machine's load; CPU seconds (user + system of the process) much less, so both are printed.
``serve`` is started on a free port and polled every 200 ms (a warming server answers each poll, which costs
it CPU); its CPU is read from /proc when /readyz first says 200.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "가상융합산업 진흥 기본계획은 언제 발표됐나요?"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Timing:
    """One start: wall seconds and CPU seconds (user + system) of the process."""

    wall_s: float
    cpu_s: float


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds a running process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def time_serve(index: Path, env: dict[str, str], timeout: float = 180) -> Timing:
    """Start ``assistant serve`` and time it until /readyz is 200."""
    port = _free_port()
    command = [sys.executable, "-m", "assistant", "serve", "--index", str(index), "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < timeout:
            if process.poll() is not None:
                raise SystemExit(f"serve exited with status {process.returncode}: {' '.join(command)}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                    return Timing(time.perf_counter() - started, _cpu_of(process.pid))
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # each poll of a warming server costs it CPU: not more often
        raise SystemExit(f"serve was not ready within {timeout:.0f} s")
    finally:
        process.terminate()
        process.wait(30)


def time_ask(index: Path, question: str, env: dict[str, str]) -> Timing:
    """Run ``assistant ask`` once, end to end."""
    command = [sys.executable, "-m", "assistant", "ask", "--index", str(index), question]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        assert process.stderr is not None
        raise SystemExit(f"ask failed ({process.returncode}): {process.stderr.read()}")
    return Timing(wall, usage.ru_utime + usage.ru_stime)


def _summary(name: str, timings: list[Timing]) -> dict[str, object]:
    walls = [t.wall_s for t in timings]
    cpus = [t.cpu_s for t in timings]
    print(
        f"{name:6} wall median {statistics.median(walls):5.2f} s (min {min(walls):.2f})   "
        f"cpu median {statistics.median(cpus):5.2f} s (min {min(cpus):.2f})   runs {len(timings)}"
    )
    return {"runs": [asdict(t) for t in timings], "wall_median_s": statistics.median(walls),
            "cpu_median_s": statistics.median(cpus)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="An index folder built beforehand.")
    parser.add_argument("--runs", type=int, default=3, help="Starts of each kind (default 3).")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--json", type=Path, default=None, help="Write the figures here too.")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ASSISTANT_LOG_FORMAT": "text"}
    serve = [time_serve(args.index, env) for _ in range(args.runs)]
    ask = [time_ask(args.index, args.question, env) for _ in range(args.runs)]
    figures = {"serve_ready": _summary("serve", serve), "ask": _summary("ask", ask), "load": os.getloadavg()}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
