"""Ollama's native chat API: ``POST {base_url}/api/chat``, streamed as one JSON object per line.

Each line carries ``message.content``; the last has ``done: true`` and the token counts
(``prompt_eval_count``, ``eval_count``). Failures come as ``{"error": "..."}``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import httpx

from ..errors import ModelResponseError
from ..settings import ModelSettings
from .base import ChatRequest, Chunk, Usage
from .http_client import StreamingClient
from .http_retry import RetryPolicy, with_retries

DEFAULT_URL = "http://localhost:11434"


def ollama_root(base_url: str) -> str:
    """The server root: Ollama's own default when the OpenAI default is left in place, without a ``/v1`` suffix."""
    if base_url == ModelSettings.model_fields["base_url"].default:
        return DEFAULT_URL
    return base_url.rstrip("/").removesuffix("/v1")


class OllamaModel:
    """Streams chat answers from a local (or remote) Ollama server."""

    def __init__(self, settings: ModelSettings) -> None:
        self.settings = settings
        self.id = f"ollama:{settings.model}"
        root = ollama_root(settings.base_url)
        self.url = f"{root}/api/chat"
        self._client = StreamingClient(settings, f"Ollama at {root}")
        self._policy = RetryPolicy.from_settings(settings)
        self._not_found = (
            f"Ollama at {root} has no model '{settings.model}'. Pull it with `ollama pull {settings.model}`, "
            "or set ASSISTANT_MODEL__MODEL to one that `ollama list` shows"
        )

    def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        """Yield the answer's text as Ollama produces it, then one chunk with the usage."""
        payload = self.payload(request)
        return with_retries(lambda: self._attempt(payload), self._policy)

    def payload(self, request: ChatRequest) -> dict[str, Any]:
        """The JSON body of the request: model, messages and sampling options."""
        options: dict[str, Any] = {
            "temperature": self.settings.temperature if request.temperature is None else request.temperature,
            "num_predict": self.settings.max_tokens if request.max_tokens is None else request.max_tokens,
        }
        if request.stop:
            options["stop"] = list(request.stop)
        return {
            "model": self.settings.model,
            "messages": [{"role": message.role, "content": message.content} for message in request.messages],
            "stream": True,
            "options": options,
        }

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()

    async def _attempt(self, payload: dict[str, Any]) -> AsyncGenerator[Chunk, None]:
        server = self._client.server
        async with self._client.post(self.url, payload, not_found=self._not_found) as response:
            async for line in ndjson_lines(response):
                if not line.strip():
                    continue
                try:
                    part = json.loads(line)
                except ValueError as error:
                    raise ModelResponseError(
                        f"{server} sent a line that is not JSON ({line[:80]!r}). "
                        "Check that ASSISTANT_MODEL__BASE_URL points at Ollama itself."
                    ) from error
                if not isinstance(part, dict):
                    raise ModelResponseError(f"{server} sent a line that is not a JSON object ({line[:80]!r}).")
                if "error" in part:
                    message = self._client.scrub(str(part["error"]))
                    raise ModelResponseError(f"{server} reported an error in the middle of the answer: {message}")
                message_part = part.get("message")
                content = message_part.get("content") if isinstance(message_part, dict) else None
                if isinstance(content, str) and content:
                    yield Chunk(content)
                if part.get("done"):
                    yield Chunk(usage=Usage(int(part.get("prompt_eval_count") or 0), int(part.get("eval_count") or 0)))
                    return
        raise ModelResponseError(f"{server} ended the answer without 'done: true'; it was cut off. Try again.")


async def ndjson_lines(response: httpx.Response) -> AsyncIterator[str]:
    """The lines of a streamed NDJSON body, split on ``\\n`` only: unlike ``Response.aiter_lines``, a U+2028 or
    U+0085 inside a JSON string is not a line ending. The last line comes even without a line ending."""
    pending = ""
    async for text in response.aiter_text():  # httpx decodes UTF-8 split across reads
        *lines, pending = (pending + text).split("\n")
        for line in lines:
            yield line.removesuffix("\r")
    if pending:
        yield pending.removesuffix("\r")
