"""Server-Sent Event responses (sse-starlette) for the answer streams: ``/v1/chat`` and the OpenAI-compatible one.

sse-starlette sends ``: ping`` comments every ``api.keepalive`` seconds so proxies keep the connection open, and
cancels the stream's generator when the client disconnects, which closes the answer's events and so cancels
the model call.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette import EventSourceResponse, ServerSentEvent

# Lines end in "\n", as our streams always did (sse-starlette's default is "\r\n"; both are valid SSE). An event
# object encodes itself with its own separator, so each one is given it.
_SEP = "\n"


def sse_event(name: str | None, data: dict[str, Any] | str) -> ServerSentEvent:
    """One event: a JSON payload (or text as it is) under ``name`` (``None``: the default ``message`` type)."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return ServerSentEvent(text, event=name, sep=_SEP)


def event_stream(events: AsyncIterator[ServerSentEvent], keepalive: float) -> EventSourceResponse:
    """An SSE response of ``events``, pinging every ``keepalive`` seconds."""
    return EventSourceResponse(
        events, ping=keepalive, ping_message_factory=lambda: ServerSentEvent(comment="ping", sep=_SEP), sep=_SEP
    )
