"""The SSE wire format of the answer streams (the routes' tests drive pings and disconnects over real HTTP)."""

from __future__ import annotations

from assistant.api.event_stream import event_stream, sse_event


def test_events_are_encoded_as_before_the_library_swap() -> None:
    assert (
        sse_event("delta", {"text": "서울 [1]"}).encode()
        == b'event: delta\ndata: {"text": "\xec\x84\x9c\xec\x9a\xb8 [1]"}\n\n'
    )
    assert sse_event(None, {"a": 1}).encode() == b'data: {"a": 1}\n\n'
    assert sse_event(None, "[DONE]").encode() == b"data: [DONE]\n\n"


def test_the_response_pings_with_a_bare_comment_at_the_keepalive() -> None:
    async def nothing():  # type: ignore[no-untyped-def]
        yield sse_event(None, "[DONE]")

    response = event_stream(nothing(), keepalive=2.5)
    assert response.ping_interval == 2.5 and response.sep == "\n"
    assert response.ping_message_factory is not None and response.ping_message_factory().encode() == b": ping\n\n"
    assert response.media_type == "text/event-stream"
