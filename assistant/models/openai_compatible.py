"""Any OpenAI-compatible chat server (OpenAI, vLLM, llama.cpp, LM Studio, Ollama's ``/v1``), streamed as SSE.

``POST {base_url}/chat/completions`` with ``stream: true``; each ``data:`` event carries a delta of the answer,
a last event with empty ``choices`` carries the usage, and ``data: [DONE]`` ends the stream.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from httpx_sse import EventSource, ServerSentEvent

from ..errors import ModelResponseError
from ..settings import ModelSettings
from .base import ChatRequest, Chunk, Usage
from .http_client import StreamingClient, server_message
from .http_retry import RetryPolicy, with_retries

_DONE = "[DONE]"


class OpenAICompatibleModel:
    """Streams chat completions from an OpenAI-compatible server."""

    def __init__(self, settings: ModelSettings) -> None:
        self.settings = settings
        self.id = f"openai:{settings.model}"
        self.url = settings.base_url.rstrip("/") + "/chat/completions"
        self._client = StreamingClient(settings, f"The model server at {settings.base_url}")
        self._policy = RetryPolicy.from_settings(settings)

    def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        """Yield the answer's text as the server sends it, then one chunk with the usage."""
        payload = self.payload(request)
        return with_retries(lambda: self._attempt(payload), self._policy)

    def payload(self, request: ChatRequest) -> dict[str, Any]:
        """The JSON body of the request: model, messages, sampling settings, streaming with usage."""
        payload: dict[str, Any] = {
            "model": self.settings.model,
            "messages": [{"role": message.role, "content": message.content} for message in request.messages],
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": self.settings.temperature if request.temperature is None else request.temperature,
            "max_tokens": self.settings.max_tokens if request.max_tokens is None else request.max_tokens,
        }
        if request.stop:
            payload["stop"] = list(request.stop)
        return payload

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()

    async def _attempt(self, payload: dict[str, Any]) -> AsyncGenerator[Chunk, None]:
        usage: Usage | None = None
        server = self._client.server
        async with self._client.post(self.url, payload) as response:
            content_type = response.headers.get("content-type", "")
            if "text/event-stream" not in content_type:
                raise ModelResponseError(
                    f"{server} answered with '{content_type or 'no content type'}', not an event stream. "
                    "Check that ASSISTANT_MODEL__BASE_URL is the OpenAI-compatible root (usually ending in /v1)."
                )
            async for event in EventSource(response).aiter_sse():
                if not event.data:
                    continue  # an event without data lines (only 'event:' or 'id:') carries nothing
                if event.data.strip() == _DONE:
                    if usage is not None:
                        yield Chunk(usage=usage)
                    return
                text, usage = self._read(event, usage)
                if text:
                    yield Chunk(text)
        raise ModelResponseError(f"{server} ended the answer without 'data: [DONE]'; it was cut off. Try again.")

    def _read(self, event: ServerSentEvent, usage: Usage | None) -> tuple[str, Usage | None]:
        server = self._client.server
        try:
            chunk = json.loads(event.data)
        except ValueError as error:
            raise ModelResponseError(
                f"{server} sent an event that is not JSON ({event.data[:80]!r}). Check that it is OpenAI-compatible."
            ) from error
        if not isinstance(chunk, dict):
            raise ModelResponseError(f"{server} sent an event that is not a JSON object ({event.data[:80]!r}).")
        if "error" in chunk or event.event == "error":
            message, _ = server_message(self._client.scrub(event.data).encode())
            raise ModelResponseError(f"{server} reported an error in the middle of the answer: {message}")
        texts: list[str] = []
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") if isinstance(choice, dict) else None
            content = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(content, str):
                texts.append(content)
        reported = chunk.get("usage")
        if isinstance(reported, dict):
            usage = Usage(int(reported.get("prompt_tokens") or 0), int(reported.get("completion_tokens") or 0))
        return "".join(texts), usage
