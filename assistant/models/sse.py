"""Incremental decoders for streamed HTTP bodies: text lines (for NDJSON) and server-sent events.

Both take raw bytes as the network delivers them, so a UTF-8 character, a line ending (``\\r\\n``) or an
event may be split across reads. The event decoder follows the WHATWG ``text/event-stream`` rules
(comments, multi-line ``data``, ``event``/``id``/``retry`` fields) and, leniently, dispatches an event
still pending when the stream ends without its closing blank line.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event: its ``data`` lines joined by newlines, and its type."""

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


class LineDecoder:
    """Splits a byte stream into text lines, whatever the line endings and wherever the reads break."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""

    def feed(self, data: bytes) -> list[str]:
        """The lines completed by ``data``; an unfinished line waits for the next read."""
        return self._split(self._pending + self._decoder.decode(data), final=False)

    def finish(self) -> list[str]:
        """The last line, when the stream ended without a line ending."""
        return self._split(self._pending + self._decoder.decode(b"", final=True), final=True)

    def _split(self, text: str, final: bool) -> list[str]:
        lines: list[str] = []
        start = 0
        for match in _LINE_END.finditer(text):
            if not final and match.group() == "\r" and match.end() == len(text):
                break  # maybe the first half of a "\r\n" split across reads
            lines.append(text[start : match.start()])
            start = match.end()
        self._pending = text[start:]
        if final and self._pending:
            lines.append(self._pending)
            self._pending = ""
        return lines


class SSEDecoder:
    """Turns a ``text/event-stream`` byte stream into ``ServerSentEvent``s."""

    def __init__(self) -> None:
        self._lines = LineDecoder()
        self._data: list[str] = []
        self._event = ""
        self._last_id: str | None = None
        self._retry: int | None = None
        self._started = False

    def feed(self, data: bytes) -> list[ServerSentEvent]:
        """The events completed by ``data``."""
        return self._handle(self._lines.feed(data))

    def finish(self) -> list[ServerSentEvent]:
        """Events still pending when the stream ended (leniently, even without a closing blank line)."""
        events = self._handle(self._lines.finish())
        event = self._dispatch()
        return [*events, event] if event is not None else events

    def _handle(self, lines: list[str]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        for line in lines:
            if not self._started:
                self._started = True
                line = line.removeprefix("\ufeff")
            if not line:
                event = self._dispatch()
                if event is not None:
                    events.append(event)
            elif not line.startswith(":"):  # lines starting with ':' are comments (keep-alive pings)
                self._field(line)
        return events

    def _field(self, line: str) -> None:
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)

    def _dispatch(self) -> ServerSentEvent | None:
        data, event = self._data, self._event
        self._data, self._event = [], ""
        if not data:
            return None
        return ServerSentEvent("\n".join(data), event or "message", self._last_id, self._retry)


async def aiter_lines(chunks: AsyncIterable[bytes]) -> AsyncIterator[str]:
    """The lines of a streamed body, the last one included even without a line ending."""
    decoder = LineDecoder()
    async for data in chunks:
        for line in decoder.feed(data):
            yield line
    for line in decoder.finish():
        yield line


async def aiter_events(chunks: AsyncIterable[bytes]) -> AsyncIterator[ServerSentEvent]:
    """The server-sent events of a streamed body."""
    decoder = SSEDecoder()
    async for data in chunks:
        for event in decoder.feed(data):
            yield event
    for event in decoder.finish():
        yield event
