"""Mixed load with document writes going on: the real server, many clients on three answer routes, uploads.

    .venv/bin/python eval/benchmark_load.py [--clients 32] [--duration 60] [--upload-every 1] [--json FILE]

Starts ``assistant serve`` in a subprocess over a copy of the demo corpus (its index built first; SQLite
conversations and uploads in a temporary folder, no rate limit, no keys on loopback), then for ``--duration``
seconds:

* ``--clients`` clients send back to back, each on its own keep-alive connection, each request to the next of
  ``/v1/answer`` (JSON), ``/v1/chat`` (Server-Sent Events, read to the end) and ``/v1/chat/completions``
  (streamed and not, in turn), with questions drawn in turn from ``benchmark_api.QUESTIONS``;
* a writer thread uploads or replaces one small document every ``--upload-every`` seconds, in turn as JSON
  (``/v1/documents/text``) and as a Markdown file (``/v1/documents``), so the index is swapped under the load.

A request is an error unless it answers 200 (201/202 for uploads) with a whole, well-formed body: citations for
``/v1/answer``, a ``done`` event and no ``error`` event for ``/v1/chat``, text and ``[DONE]`` (streamed) for
``/v1/chat/completions``. Reports, per route: requests, errors, p50/p95/p99/max latency and answers/s.
Client and server share this machine's cores; on a shared machine, say so next to the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.metrics import percentile  # noqa: E402
from eval.benchmark_api import QUESTIONS, Connection, free_port, start_server, wait_ready  # noqa: E402

ROUTES = ("/v1/answer", "/v1/chat", "/v1/chat/completions")
UPLOAD_ID = "bench-live-notice"
UPLOAD_TEXTS = (
    "부산시는 {n}번째 메타버스 민원 창구를 해운대구에 연다고 밝혔다. 창구는 {n}월부터 운영된다.",
    "臺中市第{n}期元宇宙計畫將在北屯區試辦線上申辦服務，預計{n}月上線。",
)


def request_body(route: str, question: str, turn: int) -> bytes:
    """The JSON body of one request to ``route``."""
    if route == "/v1/chat/completions":
        body: dict[str, Any] = {"model": "assistant", "messages": [{"role": "user", "content": question}],
                                "stream": turn % 2 == 1}  # fmt: skip
    else:
        body = {"question": question}
    return json.dumps(body, ensure_ascii=False).encode()


def well_formed(route: str, status: int, payload: bytes, streamed: bool) -> bool:
    """Whether a reply is a whole, successful answer of its route."""
    if status != 200:
        return False
    text = payload.decode("utf-8")
    if route == "/v1/answer":
        return bool(json.loads(text)["citations"])
    if route == "/v1/chat":
        return "event: done\n" in text and "event: error\n" not in text
    if streamed:
        return text.rstrip().endswith("data: [DONE]") and '"error"' not in text
    return bool(json.loads(text)["choices"][0]["message"]["content"])


def summary(latencies: list[float], errors: int, seconds: float) -> dict[str, float]:
    return {
        "requests": len(latencies), "errors": errors, "per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1), "max_ms": round(max(latencies, default=0), 1),
    }  # fmt: skip


async def drive(url: str, clients: int, seconds: float, samples: list[str]) -> tuple[dict[str, Any], float]:
    """The clients' load for ``seconds``: per-route latencies and errors."""
    host, port = url.split("//")[1].split(":")
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    started = time.perf_counter()
    end = started + seconds

    async def client(number: int) -> None:
        connection = Connection(host, int(port))
        turn = number
        try:
            while time.perf_counter() < end:
                route = ROUTES[turn % len(ROUTES)]
                question = QUESTIONS[(turn // len(ROUTES)) % len(QUESTIONS)]
                streamed = route == "/v1/chat/completions" and (turn // len(ROUTES)) % 2 == 1
                sent = time.perf_counter()
                try:
                    status, payload = await connection.post(route, request_body(route, question, turn // len(ROUTES)))
                    ok = well_formed(route, status, payload, streamed)
                    if not ok and len(samples) < 5:
                        samples.append(f"{route}: HTTP {status}: {payload[:300]!r}")
                except (OSError, ValueError, KeyError, asyncio.IncompleteReadError) as error:
                    ok = False
                    if len(samples) < 5:
                        samples.append(f"{route}: {type(error).__name__}: {error}")
                    connection.close()
                    connection = Connection(host, int(port))
                latencies[route].append((time.perf_counter() - sent) * 1000)
                errors[route] += 0 if ok else 1
                turn += 1
        finally:
            connection.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    routes = {route: summary(latencies[route], errors[route], elapsed) for route in ROUTES}
    everything = [ms for route in ROUTES for ms in latencies[route]]
    routes["all"] = summary(everything, sum(errors.values()), elapsed)
    return routes, elapsed


class Uploader(threading.Thread):
    """Uploads or replaces one small document every ``every`` seconds (on a fixed schedule; an upload that takes
    longer delays the next) until stopped, JSON and file in turn."""

    def __init__(self, url: str, every: float) -> None:
        super().__init__(daemon=True)
        self.url, self.every = url, every
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as client:
            n, began = 0, time.monotonic()
            while not self.stopping.wait(max(0.0, began + n * self.every - time.monotonic())):
                text = UPLOAD_TEXTS[n % len(UPLOAD_TEXTS)].format(n=n)
                sent = time.perf_counter()
                try:
                    if n % 2 == 0:
                        document = {"id": UPLOAD_ID, "title": f"안내 {n}", "text": text}
                        response = client.post("/v1/documents/text", json=document)
                    else:
                        file = (f"{UPLOAD_ID}.md", f"# 안내 {n}\n\n{text}\n".encode(), "text/markdown")
                        response = client.post("/v1/documents", files={"file": file})
                    if response.status_code not in (200, 201, 202):
                        self.errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
                except httpx.HTTPError as error:
                    self.errors.append(f"{type(error).__name__}: {error}")
                self.latencies.append((time.perf_counter() - sent) * 1000)
                n += 1


async def main(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    corpus = folder / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    subprocess.run([sys.executable, "-m", "assistant", "-q", "index", "build", "--corpus", str(corpus),
                    "--index", str(folder / "index")], check=True)  # fmt: skip
    server = start_server(folder, port, corpus)
    samples: list[str] = []
    try:
        await wait_ready(url)
        await drive(url, args.clients, 3, [])  # warm-up
        uploader = Uploader(url, args.upload_every)
        uploader.start()
        routes, elapsed = await drive(url, args.clients, args.duration, samples)
        uploader.stopping.set()
        uploader.join(60)
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(folder, ignore_errors=True)
    uploads = summary(uploader.latencies, len(uploader.errors), elapsed)
    return {
        "clients": args.clients, "duration_s": args.duration, "cpus": os.cpu_count(),
        "load_average_after": [round(x, 2) for x in os.getloadavg()], "routes": routes, "uploads": uploads,
        "error_samples": samples + uploader.errors[:5],
    }  # fmt: skip


def table(result: dict[str, Any]) -> str:
    lines = ["| route | requests | errors | answers/s | p50 ms | p95 ms | p99 ms | max ms |", "|---" * 8 + "|"]
    rows = {**result["routes"], "uploads (writer thread)": result["uploads"]}
    for route, row in rows.items():
        lines.append(
            f"| {route} | {row['requests']} | {row['errors']} | {row['per_second']} | {row['p50_ms']} | "
            f"{row['p95_ms']} | {row['p99_ms']} | {row['max_ms']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0, help="Seconds of load.")
    parser.add_argument("--upload-every", type=float, default=1.0, help="Seconds between document uploads.")
    parser.add_argument("--json", type=Path, default=None)
    arguments = parser.parse_args()
    outcome = asyncio.run(main(arguments))
    text = json.dumps(outcome, indent=2, ensure_ascii=False)
    print(text)
    print()
    print(table(outcome))
    if arguments.json:
        arguments.json.write_text(text + "\n", encoding="utf-8")
