"""``assistant serve`` as a subprocess: says where it serves only once bound, explains a busy port in one line,
and writes one JSON line per request when asked to."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.serve_process import serving
from tests.cli.test_cli import run


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({
        "ASSISTANT_CONVERSATIONS__BACKEND": "memory", "ASSISTANT_API__KEYS_FILE": str(tmp / "keys.json"), **extra,
    })  # fmt: skip
    return env


@pytest.fixture
def json_server(demo_index_dir: Path, tmp_path: Path) -> Iterator[tuple[str, list[dict]]]:
    """``assistant serve --port 0`` with JSON logs; yields its URL and the log lines read so far."""
    env = _env(tmp_path, ASSISTANT_LOG_FORMAT="json")
    with serving(["--port", "0", "--index", str(demo_index_dir)], tmp_path, env, parse=json.loads) as served:
        yield served


def test_json_logs_carry_one_line_per_request_with_its_id_route_status_and_timings(json_server) -> None:
    url, lines = json_server
    response = httpx.post(
        f"{url}/v1/answer", json={"question": "가상융합산업 기본계획의 중점 방향은 몇 가지인가요?"},
        headers={"X-Request-Id": "req-json-1"}, timeout=60,
    )  # fmt: skip
    assert response.status_code == 200
    deadline = time.monotonic() + 10

    def mine() -> list[dict]:  # other lines logged during the request carry its id too: keep the request's own
        return [line for line in lines if line.get("request_id") == "req-json-1" and line["logger"] == "assistant.api"]

    while not mine() and time.monotonic() < deadline:
        time.sleep(0.05)
    (entry,) = mine()
    assert entry["route"] == "/v1/answer" and entry["status"] == 200 and entry["method"] == "POST"
    assert entry["ms"] > 0 and entry["timings_ms"]["retrieval"] >= 0 and entry["level"] == "info"


def test_a_busy_port_is_one_line_with_the_fix(demo_index_dir: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("serve", "--port", str(port), "--index", str(demo_index_dir), cwd=tmp_path, env=_env(tmp_path))
    assert done.returncode == 2
    assert f"Cannot listen on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr
    assert "Traceback" not in done.stderr and "serving on" not in done.stderr


def test_an_unreachable_redis_is_one_line_with_the_fix(demo_index_dir: Path, tmp_path: Path) -> None:
    env = _env(tmp_path, ASSISTANT_REDIS__URL=f"unix://{tmp_path}/no-redis.sock")
    done = run("serve", "--port", "0", "--index", str(demo_index_dir), cwd=tmp_path, env=env)
    assert done.returncode != 0
    assert f"Redis at unix://{tmp_path}/no-redis.sock failed" in done.stderr and "ASSISTANT_REDIS__URL" in done.stderr
    assert "Traceback" not in done.stderr and "serving on" not in done.stderr
