"""A real HTTP server on 127.0.0.1 standing in for Kakao's callback URLs and Telegram's Bot API.

It answers every POST with a JSON body (``{"ok": true, ...}``, as both services do) and records what it received,
so tests can wait for the deliveries a background task makes.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback import LoopbackServer


@dataclass(frozen=True)
class Delivery:
    """One POST as the server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class BotServer(LoopbackServer):
    """Records POSTs; ``wait_for`` blocks until enough have arrived at a path."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.deliveries: list[Delivery] = []
        self._arrived = threading.Condition()
        super().__init__()

    def at(self, path: str) -> list[Delivery]:
        """The deliveries so far whose path starts with ``path``."""
        with self._arrived:
            return [d for d in self.deliveries if d.path.startswith(path)]

    def wait_for(self, path: str, count: int = 1, timeout: float = 15.0) -> list[Delivery]:
        """The deliveries at ``path`` once there are at least ``count``; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [d for d in self.deliveries if d.path.startswith(path)]
                remaining = deadline - time.monotonic()
                if len(found) >= count or remaining <= 0:
                    break
                self._arrived.wait(remaining)
        assert len(found) >= count, f"expected {count} POSTs at {path}, got {len(found)}: {self.deliveries}"
        return found

    def _record(self, delivery: Delivery) -> None:
        with self._arrived:
            self.deliveries.append(delivery)
            self._arrived.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                headers = {name.lower(): value for name, value in self.headers.items()}
                reply = json.dumps({"ok": server.status < 400, "result": {"message_id": 1}}).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
                server._record(Delivery(self.path, headers, json.loads(raw)))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
