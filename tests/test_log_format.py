"""JSON log lines: fields, extras, and the request id of the request being served."""

from __future__ import annotations

import json
import logging

from asgi_correlation_id import correlation_id

from assistant.log_format import JsonFormatter


def record(message: str, **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord("assistant.core", logging.WARNING, __file__, 1, message, None, None)
    entry.__dict__.update(extra)
    return entry


def test_a_line_logged_while_a_request_is_served_carries_its_id() -> None:
    token = correlation_id.set("req-42")
    try:
        inside = json.loads(JsonFormatter().format(record("model slow", stage="generation")))
        explicit = json.loads(JsonFormatter().format(record("request", request_id="given")))
    finally:
        correlation_id.reset(token)
    outside = json.loads(JsonFormatter().format(record("startup")))
    assert inside["request_id"] == "req-42" and inside["stage"] == "generation" and inside["level"] == "warning"
    assert explicit["request_id"] == "given"
    assert "request_id" not in outside
