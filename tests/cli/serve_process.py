"""``assistant serve`` as a subprocess for tests: started, waited for until it says where it serves and answers
/readyz, then stopped."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

_SERVING = re.compile(r"serving on (http://[\w.:\[\]-]+)")


@contextmanager
def serving(
    args: list[str], cwd: Path, env: dict[str, str], parse: Callable[[str], Any] = str, timeout: float = 120
) -> Iterator[tuple[str, list[Any]]]:
    """``assistant serve ARGS``; yields its URL and its stderr lines so far, each passed through ``parse``
    (``json.loads`` fails the reader on a line that is not JSON)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", *args], cwd=cwd, env=env, stderr=subprocess.PIPE, text=True
    )
    lines: list[Any] = []
    found: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(parse(line))
            if match := _SERVING.search(line):
                found.append(match.group(1))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + timeout
        while not found:
            assert process.poll() is None and reader.is_alive() and time.monotonic() < deadline, lines
            time.sleep(0.1)
        url = found[0]
        while True:  # bound before the app has started: wait for it to answer
            try:
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, lines
            time.sleep(0.2)
        yield url, lines
    finally:
        process.terminate()
        process.wait(30)
        reader.join(10)
