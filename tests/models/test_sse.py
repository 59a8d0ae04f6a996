"""The line and server-sent-event decoders, fed the way networks deliver bytes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from assistant.models.sse import LineDecoder, ServerSentEvent, SSEDecoder, aiter_events, aiter_lines


def feed_all(decoder: SSEDecoder, pieces: list[bytes]) -> list[ServerSentEvent]:
    events = [event for piece in pieces for event in decoder.feed(piece)]
    return events + decoder.finish()


def byte_by_byte(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


def test_lines_split_on_every_kind_of_line_ending() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"one\ntwo\r\nthree\rfour") == ["one", "two", "three"]
    assert decoder.finish() == ["four"]


def test_crlf_split_across_reads_is_one_line_ending() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"one\r") == []
    assert decoder.feed(b"\ntwo\r") == ["one"]
    assert decoder.feed(b"\r\n") == ["two", ""]
    assert decoder.finish() == []


def test_multibyte_characters_split_across_reads_survive() -> None:
    decoder = LineDecoder()
    data = "서울 메타버스\n首尔市元宇宙\n".encode()
    lines = [line for piece in byte_by_byte(data) for line in decoder.feed(piece)]
    assert lines == ["서울 메타버스", "首尔市元宇宙"]


def test_line_separators_inside_text_are_not_line_endings() -> None:
    decoder = LineDecoder()
    assert decoder.feed("a\u2028b\x0cc\n".encode()) == ["a\u2028b\x0cc"]


def test_events_ignore_comments_and_join_multiline_data() -> None:
    stream = b": ping\n\nevent: delta\nid: 7\ndata: first\ndata:second\n\n: keep-alive\ndata: [DONE]\n\n"
    events = feed_all(SSEDecoder(), [stream])
    assert events == [ServerSentEvent("first\nsecond", "delta", "7"), ServerSentEvent("[DONE]", "message", "7")]


def test_events_split_anywhere_decode_the_same() -> None:
    stream = '\ufeffdata: {"a": "서울"}\r\n\r\n: ping\r\n\r\ndata: {"b": "首尔"}\r\n\r\ndata: [DONE]\r\n\r\n'.encode()
    whole = feed_all(SSEDecoder(), [stream])
    assert [event.data for event in whole] == ['{"a": "서울"}', '{"b": "首尔"}', "[DONE]"]
    assert feed_all(SSEDecoder(), byte_by_byte(stream)) == whole


def test_field_rules() -> None:
    stream = b"data\nretry: 1500\ndata:  two spaces\nunknown: x\n\nretry: soon\nid: a\0b\ndata: z\n\n"
    events = feed_all(SSEDecoder(), [stream])
    assert events == [ServerSentEvent("\n two spaces", retry=1500), ServerSentEvent("z", retry=1500)]


def test_blank_lines_without_data_dispatch_nothing() -> None:
    assert feed_all(SSEDecoder(), [b"\n\n: only a comment\n\nevent: x\n\n"]) == []


def test_an_event_left_open_at_the_end_is_still_dispatched() -> None:
    assert feed_all(SSEDecoder(), [b"data: [DONE]"]) == [ServerSentEvent("[DONE]")]


def test_async_helpers_read_chunked_bodies() -> None:
    async def chunks(data: bytes) -> AsyncIterator[bytes]:
        for piece in byte_by_byte(data):
            yield piece

    async def read() -> tuple[list[str], list[str]]:
        lines = [line async for line in aiter_lines(chunks(b'{"a": 1}\n{"b": 2}'))]
        events = [event.data async for event in aiter_events(chunks(b"data: x\n\ndata: y\n\n"))]
        return lines, events

    assert asyncio.run(read()) == (['{"a": 1}', '{"b": 2}'], ["x", "y"])
