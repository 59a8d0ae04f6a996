"""How long a small document write waits while a large one is being indexed, over real HTTP.

    .venv/bin/python eval/benchmark_document_writes.py [--chars 200000] [--paragraph 0] [--small 3] [--json FILE]

Starts ``assistant serve`` in a subprocess over a copy of the demo corpus (its index built at start), then posts
one large JSON text document (``--chars`` characters of varied Korean and Chinese sentences) to
``/v1/documents/text`` and, once it is being indexed, ``--small`` small ones one after another. Reports how long
the large request took to answer, how long until the large document was searchable (the request itself, or its
job when the server answers 202), and how long each small write took. Client and server share this machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]

SENTENCES = [
    "서울시는 {n}번째 메타버스 민원 창구를 {n}개 구청에 연다고 밝혔다.",
    "가상융합산업 진흥 계획의 {n}단계 사업은 지역 거점 {n}곳에서 시작된다.",
    "臺北市第{n}期元宇宙計畫將在{n}個行政區試辦線上申辦服務。",
    "韩国政府第{n}批虚拟现实示范项目覆盖{n}个城市的公共服务。",
]


def large_text(chars: int, paragraph: int) -> str:
    """Varied sentences (numbers change) so tokenising and embedding do real work, cut to ``chars``; a blank line
    after every ``paragraph`` sentences (0: one paragraph, as text pasted from a PDF often is)."""
    parts: list[str] = []
    total, n = 0, 0
    while total < chars:
        sentence = SENTENCES[n % len(SENTENCES)].format(n=n)
        parts.append(sentence + ("\n\n" if paragraph and n % paragraph == paragraph - 1 else " "))
        total += len(parts[-1])
        n += 1
    return "".join(parts)[:chars]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({
        "ASSISTANT_INDEX_DIR": str(folder / "index"), "ASSISTANT_CORPUS_DIR": str(folder / "corpus"),
        "ASSISTANT_CONVERSATIONS__PATH": str(folder / "conversations.sqlite3"), "ASSISTANT_API__RATE_LIMIT": "0",
        "HF_HUB_OFFLINE": "1",
        "ASSISTANT_API__MAX_TEXT_CHARS": "2000000",
    })  # fmt: skip
    command = [sys.executable, "-m", "assistant", "-q", "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, cwd=folder)


def wait_ready(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise RuntimeError("the server did not become ready")


def post_large(url: str, text: str, result: dict[str, Any]) -> None:
    started = time.perf_counter()
    response = httpx.post(f"{url}/v1/documents/text", json={"id": "large", "title": "large", "text": text}, timeout=600)
    result["large_status"] = response.status_code
    result["large_response_s"] = round(time.perf_counter() - started, 2)
    if response.status_code == 202:
        location = response.headers["location"]
        while True:
            job = httpx.get(url + location, timeout=30).json()
            if job["state"] in ("done", "failed"):
                result["large_job"] = job
                break
            time.sleep(0.1)
    elif response.status_code != 201:
        result["large_error"] = response.text[:500]
    result["large_searchable_s"] = round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=200_000)
    parser.add_argument("--paragraph", type=int, default=0, help="Sentences per paragraph (0: one paragraph).")
    parser.add_argument("--small", type=int, default=3)
    parser.add_argument("--delay", type=float, default=2.0, help="Seconds after the large post before the small.")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(ROOT / "corpus", folder / "corpus")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(folder, port)
        try:
            wait_ready(url)
            result: dict[str, Any] = {
                "chars": args.chars,
                "paragraph": args.paragraph,
                "cpus": os.cpu_count(),
                "load": os.getloadavg()[0],
            }
            large = threading.Thread(target=post_large, args=(url, large_text(args.chars, args.paragraph), result))
            large.start()
            time.sleep(args.delay)
            waits = []
            for i in range(args.small):
                body = {"id": f"small-{i}", "title": "작은 문서", "text": f"작은 문서 {i}번: 부산 해양 체험관을 연다."}
                started = time.perf_counter()
                response = httpx.post(f"{url}/v1/documents/text", json=body, timeout=600)
                waits.append(round(time.perf_counter() - started, 3))
                result.setdefault("small_status", []).append(response.status_code)
            result["small_write_s"] = waits
            result["large_still_running_after_small"] = large.is_alive()
            large.join()
        finally:
            server.terminate()
            server.wait(30)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
