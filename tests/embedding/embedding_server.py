"""A real HTTP server on 127.0.0.1 that speaks OpenAI's ``POST /v1/embeddings``, with faults on demand.

Vectors are computed from each input text (a seeded random vector, deliberately not unit length), so order,
batching and prefixes can be checked; ``faults`` are answered first, one per request, before real answers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import numpy as np

from tests.loopback import LoopbackServer


@dataclass(frozen=True)
class Fault:
    """One failing answer: a status, a JSON or text body, headers."""

    status: int
    body: dict[str, Any] | str = field(default_factory=lambda: {"error": {"message": "scripted failure"}})
    headers: dict[str, str] = field(default_factory=dict)


def text_vector(text: str, dimension: int) -> np.ndarray:
    """The (unnormalised) vector the server returns for a text."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return np.random.default_rng(seed).normal(size=dimension).astype(np.float32) * 3


class EmbeddingServer(LoopbackServer):
    """``/v1/embeddings`` of a given dimension; checks the key, answers out of order with ``index`` fields."""

    def __init__(
        self, dimension: int = 16, key: str | None = None, faults: list[Fault] | None = None, as_base64: bool = False
    ) -> None:
        self.dimension = dimension
        self.key = key
        self.faults = list(faults or [])
        self.as_base64 = as_base64
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        super().__init__()

    @property
    def base_url(self) -> str:
        """What ASSISTANT_EMBEDDER__BASE_URL would be."""
        return self.url + "/v1"

    def _answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            fault = self.faults.pop(0) if self.faults else None
        if fault is not None:
            payload = fault.body if isinstance(fault.body, str) else json.dumps(fault.body)
            return fault.status, {"Content-Type": "application/json", **fault.headers}, payload.encode()
        if path != "/v1/embeddings":
            return 404, {}, b'{"error": {"message": "no such route"}}'
        if self.key is not None and headers.get("authorization") != f"Bearer {self.key}":
            said = headers.get("authorization", "")
            return 401, {}, json.dumps({"error": {"message": f"Incorrect API key provided: {said}"}}).encode()
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = []
        for index in reversed(range(len(texts))):  # out of order, as some servers answer
            vector = text_vector(texts[index], self.dimension)
            packed = base64.b64encode(vector.astype("<f4").tobytes()).decode()
            embedding: Any = packed if self.as_base64 else vector.tolist()
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        answer = {"object": "list", "data": data, "model": body.get("model"), "usage": {"prompt_tokens": 1}}
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, extra, payload = server._answer(self.path, headers, body)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
