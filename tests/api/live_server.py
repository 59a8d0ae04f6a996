"""Runs an ASGI app for real: uvicorn on a free loopback port, in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn


@contextmanager
def live_server(app: Any, timeout: float = 30.0, warm: bool = True) -> Iterator[str]:
    """The app served on 127.0.0.1 (lifespan included) for the block; yields its root URL once it answers and,
    with ``warm``, once its analysers are loaded (``/readyz`` no longer says ``warming``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start; see the log above")
        time.sleep(0.01)
    while warm and _warming(f"http://127.0.0.1:{port}"):
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not finish warming up; see the log above")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


def _warming(url: str) -> bool:
    """Whether the service still loads its analysers (any other answer, or none, counts as done)."""
    try:
        response = httpx.get(f"{url}/readyz", timeout=5)
    except httpx.TransportError:
        return False
    return response.status_code == 503 and response.json().get("status") == "warming"
