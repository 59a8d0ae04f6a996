"""A real Debian ``redis-server`` on a unix socket in a temporary folder, started once per test session.

Use the ``redis_settings`` fixture: settings for that server with a key prefix of the test's own, so tests never
see each other's keys. Skipped (with the command that installs it) where ``redis-server`` is missing; ``.ci/run``
installs it.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.settings import RedisSettings


@dataclass(frozen=True)
class RedisServer:
    """A running server: its socket, its URL, and the process."""

    socket: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"


def start_redis(folder: Path, timeout: float = 20.0) -> RedisServer:
    """Start ``redis-server`` listening only on ``folder/redis.sock`` (no TCP port, nothing saved to disk)."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        pytest.skip("redis-server is not installed (Debian/Ubuntu: apt-get install redis-server)")
    socket = folder / "redis.sock"
    command = [binary, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700", "--save", "",
               "--appendonly", "no", "--dir", str(folder), "--logfile", str(folder / "redis.log")]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = RedisServer(socket, process)
    deadline = time.monotonic() + timeout
    while not _answers(server):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (folder / "redis.log").read_text(errors="replace") if (folder / "redis.log").exists() else ""
            raise RuntimeError(f"redis-server did not start: {log[-2000:]}")
        time.sleep(0.02)
    return server


def _answers(server: RedisServer) -> bool:
    import redis

    if not server.socket.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(server.socket), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def stop_redis(server: RedisServer) -> None:
    """Stop the server and wait for it."""
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the whole session."""
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    stop_redis(server)


@pytest.fixture
def redis_settings(redis_server: RedisServer) -> RedisSettings:
    """Settings for the session's server, under a key prefix no other test uses."""
    return RedisSettings(url=redis_server.url, prefix=f"test-{uuid.uuid4().hex[:12]}:")
