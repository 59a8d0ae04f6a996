"""One ASGI middleware in front of every route: body limits, keys and rate limits.

Request ids come from ``asgi-correlation-id``'s middleware, which wraps this one (see ``REQUEST_IDS``): it takes
the client's ``X-Request-ID`` (or makes one), returns it on every response, rejections included, and keeps it in
a context variable, so every log line of the request can carry it. Request metrics and the request's log line
come from ``observability.RequestMetrics`` around both (``Metrics.instrument``).

Written as plain ASGI (not ``BaseHTTPMiddleware``) so streamed answers pass through untouched and the
per-request cost stays small.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ..errors import ForbiddenError
from .rate_limits import RateLimited, RateLimiter
from .security import AuthError, Caller, KeyChecker

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Key-checked and rate-limited: the API proper and its Ollama-compatible twin (Ollama clients send a Bearer key).
_KEYED = ("/v1/", "/api/")
# Routes that check their own credentials (Telegram sends a secret token, not our API key).
_OWN_AUTH = ("/v1/bots/telegram",)
_UPLOAD_PATHS = ("/v1/documents",)
_TEXT_PATH = "/v1/documents/text"  # JSON, but holding a whole document: its own limit, from api.max_text_chars
_BYTES_PER_CHAR = 6  # the longest JSON spelling of a character of the Basic Multilingual Plane: \uXXXX
# Outside /v1, what describes or measures the service: open or admin-only, as ``api.docs_access`` says.
# Writes to these (and reading indexing jobs) need an admin key.
_ADMIN_PATHS = ("/v1/documents",)
_JOBS = "/v1/documents/jobs"
_DOCS_PATHS = ("/docs", "/redoc", "/openapi.json", "/metrics")
_READ_METHODS = ("GET", "HEAD", "OPTIONS")


# For asgi-correlation-id's CorrelationIdMiddleware, added outside ServiceMiddleware: the client's X-Request-ID
# (any text, cut to 64 characters) or a new 16-hex-digit one.
REQUEST_IDS: dict[str, Any] = {
    "header_name": "X-Request-ID", "validator": None, "generator": lambda: secrets.token_hex(8),
    "transformer": lambda value: value[:64],
}  # fmt: skip


class BodyTooLarge(Exception):
    """The request body passed its limit while being read."""


def error_body(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> tuple[bytes, list]:
    """A JSON error response body and its headers, in the one shape every error has."""
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    return body, raw_headers


class ServiceMiddleware:
    """Guards every HTTP request: keys and roles, rate limits, body sizes."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: KeyChecker,
        limiter: RateLimiter,
        max_body: int,
        max_upload: int,
        docs_open: bool = True,
        max_text_chars: int | None = None,
    ) -> None:
        self.app = app
        self.keys = keys
        self.docs_open = docs_open
        self.limiter = limiter
        self.max_body = max_body
        self.max_upload = max_upload
        self.max_text_body = max_body + _BYTES_PER_CHAR * max_text_chars if max_text_chars else max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        scope.setdefault("state", {})
        path: str = scope["path"]

        async def reject(status: int, code: str, text: str, extra: dict[str, str] | None = None) -> None:
            body, raw_headers = error_body(status, code, text, extra)
            await send({"type": "http.response.start", "status": status, "headers": raw_headers})
            await send({"type": "http.response.body", "body": body})

        try:
            if path.startswith(_KEYED):
                scope["state"]["client"] = self._client(scope, headers, path)
                await self.limiter.check(scope["state"]["client"])
            elif path.startswith(_DOCS_PATHS) and not self.docs_open:
                self._require_admin(self.keys.identify(headers.get("authorization"), headers.get("x-api-key")), path)
            limit, setting = self._body_limit(path)
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > limit:
                text = f"The request body is {length} bytes; the limit is {limit} bytes ({setting})."
                await reject(413, "body_too_large", text)
                return
            await self.app(scope, _limited(receive, limit), send)
        except AuthError as error:
            await reject(401, "unauthorized", str(error), {"www-authenticate": "Bearer"})
        except RateLimited as error:
            await reject(
                429, "rate_limited",
                f"Too many requests. Wait {error.retry_after} s and try again.",
                {"retry-after": str(error.retry_after)},
            )  # fmt: skip
        except ForbiddenError as error:
            await reject(403, error.code, str(error))
        except BodyTooLarge:
            await reject(
                413, "body_too_large", f"The request body is larger than the limit of {limit} bytes ({setting})."
            )

    def _body_limit(self, path: str) -> tuple[int, str]:
        """The largest body a path takes, and the setting that decides it."""
        if path.rstrip("/") == _TEXT_PATH:
            return self.max_text_body, "it follows ASSISTANT_API__MAX_TEXT_CHARS"
        if path.startswith(_UPLOAD_PATHS):
            return self.max_upload, "ASSISTANT_API__MAX_UPLOAD_BYTES"
        return self.max_body, "ASSISTANT_API__MAX_BODY_BYTES"

    def _client(self, scope: Scope, headers: dict[str, str], path: str) -> str:
        """Check the key and its role; the client is named by the key's short id, or by its address when keys
        are off. The caller (``None`` when keys are off) is kept in the request state for owner checks."""
        caller = None
        if not path.startswith(_OWN_AUTH):
            caller = self.keys.identify(headers.get("authorization"), headers.get("x-api-key"))
            if path.startswith(_ADMIN_PATHS) and (scope["method"] not in _READ_METHODS or path.startswith(_JOBS)):
                self._require_admin(caller, path)
        scope["state"]["caller"] = caller
        address = (scope.get("client") or ("unknown", 0))[0]
        return caller.id if caller else f"ip:{address}"

    def _require_admin(self, caller: Caller | None, path: str) -> None:
        if caller is not None and not caller.is_admin:
            raise ForbiddenError(
                f"This key is a reader key; {path} needs an admin key (ASSISTANT_API__ADMIN_KEYS, "
                "or `assistant keys create --role admin`)."
            )


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive`` that stops a body growing past ``limit`` even without a Content-Length header."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge()
        return message

    return wrapped
