"""A real HTTP server on 127.0.0.1 that answers each POST with the next scripted reply, and records the requests.

Replies are written piece by piece with pauses between, so clients meet events split across network reads,
slow servers and connections closed mid-answer just as they would in the wild.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback import LoopbackServer


@dataclass(frozen=True)
class Reply:
    """One scripted answer: status, headers, then ``parts`` (bytes are sent and flushed, floats are pauses)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    parts: Sequence[bytes | float] = ()


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float


def sse(*payloads: dict[str, Any] | str) -> bytes:
    """Server-sent events, one ``data:`` line each (dicts as JSON, strings as they are)."""
    lines = [json.dumps(item, ensure_ascii=False) if isinstance(item, dict) else item for item in payloads]
    return "".join(f"data: {line}\n\n" for line in lines).encode()


def ndjson(*payloads: dict[str, Any]) -> bytes:
    """One JSON object per line."""
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in payloads).encode()


def json_reply(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    """A non-streamed JSON answer, as servers send errors."""
    return Reply(status, {"Content-Type": "application/json", **(headers or {})}, [json.dumps(payload).encode()])


class FakeServer(LoopbackServer):
    """Serves scripted replies in order (the last one repeats) and keeps every request it received."""

    def __init__(self, replies: Iterable[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        super().__init__()

    def _next(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            return self.replies[min(len(self.requests), len(self.replies)) - 1]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                headers = {name.lower(): value for name, value in self.headers.items()}
                reply = server._next(Received(self.path, headers, json.loads(raw), time.monotonic()))
                try:
                    self.send_response(reply.status)
                    for name, value in {"Content-Type": "text/event-stream", **reply.headers}.items():
                        self.send_header(name, value)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for part in reply.parts:
                        if isinstance(part, float):
                            time.sleep(part)
                        else:
                            self.wfile.write(part)
                            self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@contextmanager
def serving(*replies: Reply) -> Iterator[FakeServer]:
    """A running ``FakeServer`` with these replies."""
    with FakeServer(replies) as server:
        yield server


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SilentServer:
    """A TCP listener on loopback that accepts connections and never sends a byte (a hung model server);
    ``connections`` counts them. The connections are held open until the ``with`` block ends."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self._socket.settimeout(0.05)
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        """The server's root URL."""
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}"

    @property
    def connections(self) -> int:
        """Connections accepted so far."""
        return len(self._held)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(connection)

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(5)
        for connection in self._held:
            connection.close()
        self._socket.close()


def trickle(first: bytes, seconds: float, ping: bytes = b": ping\n\n") -> Reply:
    """A reply that sends ``first``, then only keep-alive ``ping``s every 0.1 s for ``seconds``: alive, never done."""
    parts: list[bytes | float] = [first]
    for _ in range(int(seconds * 10)):
        parts += [0.1, ping]
    return Reply(parts=parts)
