"""A real Milvus for tests and benchmarks: ``MILVUS_URI`` when set, else a ``milvus-lite server`` on a free
loopback port, killed when the block ends."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def milvus_uri(data_dir: Path) -> Iterator[str]:
    """The URI of a Milvus server that lives as long as the block (one started here is killed at the end)."""
    given = os.environ.get("MILVUS_URI")
    if given:
        yield given
        return
    executable = shutil.which("milvus-lite") or str(Path(sys.executable).with_name("milvus-lite"))
    if not Path(executable).exists():
        raise RuntimeError("milvus-lite is not installed (pip install -e '.[milvus]'), and MILVUS_URI is not set")
    port = _free_port()
    log = open(data_dir / "milvus-lite.log", "wb")  # noqa: SIM115  # closed below, after the server
    server = subprocess.Popen(
        [executable, "server", "--data-dir", str(data_dir / "data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"milvus-lite server exited: {(data_dir / 'milvus-lite.log').read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("milvus-lite server did not accept connections within 120 s") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
