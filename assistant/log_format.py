"""JSON log lines (``ASSISTANT_LOG_FORMAT=json``): one object per line, with the fields a log pipeline indexes.

Each request's line carries ``request_id``, ``route``, ``method``, ``path``, ``status``, ``ms``, ``client`` and,
for answers, the answer's stage timings; any ``extra=`` a log call passes becomes a field. Any other line logged
while a request is served carries its ``request_id`` too (asgi-correlation-id's context variable).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from asgi_correlation_id import correlation_id

# Attributes every LogRecord has; whatever else a record carries came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time (UTC, ISO 8601), level, logger, message, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        request_id = correlation_id.get()
        if request_id and "request_id" not in entry:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def use_json_logs(level: int | str = logging.INFO) -> None:
    """Send every log record (ours, uvicorn's, libraries') to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
