"""Load benchmark of ``POST /v1/answer``: the real server on loopback, many concurrent clients, fixed duration.

    .venv/bin/python eval/benchmark_api.py [--clients 32] [--rate 150] [--seconds 60] [--workers 2] [--json FILE]

Starts ``assistant serve`` in a subprocess over a fresh copy of the demo index (extractive default, SQLite
conversations in a temporary folder, no rate limit), then runs two phases with a minimal keep-alive HTTP/1.1
client (one connection per client):

* **paced** (the figure to reach): ``--clients`` concurrent clients together offer ``--rate`` requests/s
  (each client sends on its own schedule and waits for its answer before the next one), for ``--seconds``;
  reports throughput, p50/p95/p99 latency and errors.
* **saturated**: the same clients send back to back for ``--saturate`` seconds, to find the ceiling.

Every request is a new conversation with a question drawn in turn from Korean, Traditional and Simplified
questions about the demo corpus. Client and server share this machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.metrics import percentile  # noqa: E402

QUESTIONS = [
    "가상융합산업 기본계획의 중점 방향은 몇 가지인가요?",
    "首爾市的元宇宙平台預計哪一年完成？",
    "韩国政府计划到2025年把XR市场做到多大？",
    "메타버스 서울 기본계획의 추진 분야는 몇 개인가요?",
    "虛擬市長室是什麼？",
    "宋相勋说了什么？",
    "가상융합산업 담당 부서 연락처는?",
    "元宇宙首爾分成幾個領域？",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(folder: Path, port: int, corpus: Path = ROOT / "corpus", workers: int = 1) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({
        "ASSISTANT_INDEX_DIR": str(folder / "index"), "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_CONVERSATIONS__PATH": str(folder / "conversations.sqlite3"), "ASSISTANT_API__RATE_LIMIT": "0",
        "HF_HUB_OFFLINE": "1",
    })  # fmt: skip
    command = [sys.executable, "-m", "assistant", "-q", "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, env=env, cwd=folder)


async def wait_ready(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{url}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.25)
    raise RuntimeError("the server did not become ready")


class Connection:
    """One keep-alive HTTP/1.1 connection speaking just enough of the protocol to post JSON and read the reply
    (whole, or chunked as an event stream is).

    A load generator this small costs the shared CPU far less than a full client library (like wrk does),
    so the figures describe the server rather than the client.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":  # an event stream
            parts: list[bytes] = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()  # the blank line after the last chunk (no trailers)
                    break
                parts.append((await self.reader.readexactly(size + 2))[:-2])
            payload = b"".join(parts)
        else:
            payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
            self.writer = None
        return int(status_line.split()[1]), payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def run_phase(url: str, clients: int, seconds: float, rate: float | None) -> dict[str, float]:
    """Drive the clients for ``seconds``; paced at ``rate`` requests/s overall, or back to back if None."""
    latencies: list[float] = []
    errors = 0
    host, port = url.split("//")[1].split(":")
    bodies = [json.dumps({"question": q}, ensure_ascii=False).encode() for q in QUESTIONS]
    started = time.perf_counter()
    end = started + seconds

    async def client(number: int) -> None:
        nonlocal errors
        connection = Connection(host, int(port))
        interval = clients / rate if rate else 0.0
        next_send = started + (number * interval / clients if rate else 0.0)
        i = number
        try:
            while True:
                if rate:
                    delay = next_send - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    next_send += interval
                if time.perf_counter() >= end:
                    return
                sent = time.perf_counter()
                try:
                    status, payload = await connection.post("/v1/answer", bodies[i % len(bodies)])
                    ok = status == 200 and bool(json.loads(payload)["citations"])
                except (OSError, ValueError, asyncio.IncompleteReadError):
                    ok = False
                    connection.close()
                    connection = Connection(host, int(port))
                latencies.append((time.perf_counter() - sent) * 1000)
                errors += 0 if ok else 1
                i += clients
        finally:
            connection.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies), "errors": errors, "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 2), "p95_ms": round(percentile(latencies, 95), 2),
        "p99_ms": round(percentile(latencies, 99), 2), "max_ms": round(max(latencies, default=0), 2),
    }  # fmt: skip


async def main(args: argparse.Namespace) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="bench-api-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    subprocess.run([sys.executable, "-m", "assistant", "-q", "index", "build", "--corpus", str(ROOT / "corpus"),
                    "--index", str(folder / "index")], check=True)  # fmt: skip
    server = start_server(folder, port, workers=args.workers)
    try:
        await wait_ready(url)
        await run_phase(url, args.clients, 3, None)  # warm-up
        paced = await run_phase(url, args.clients, args.seconds, args.rate)
        saturated = await run_phase(url, args.clients, args.saturate, None) if args.saturate else {}
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(folder, ignore_errors=True)
    return {"clients": args.clients, "offered_rate": args.rate, "paced": paced, "saturated": saturated}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rate", type=float, default=150.0, help="Requests per second offered in the paced phase.")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--saturate", type=float, default=20.0, help="Seconds of back-to-back load (0: skip).")
    parser.add_argument("--workers", type=int, default=1, help="Server worker processes (serve --workers).")
    parser.add_argument("--json", type=Path, default=None)
    arguments = parser.parse_args()
    result = asyncio.run(main(arguments))
    text = json.dumps(result, indent=2)
    print(text)
    if arguments.json:
        arguments.json.write_text(text + "\n", encoding="utf-8")
    paced = result["paced"]
    assert isinstance(paced, dict)
    print(
        f"\n/v1/answer at {arguments.rate:g} req/s offered by {arguments.clients} clients: "
        f"{paced['requests_per_second']} req/s, p50 {paced['p50_ms']} ms (target <= 15), "
        f"p99 {paced['p99_ms']} ms (target <= 60), errors {paced['errors']} (target 0)"
    )
