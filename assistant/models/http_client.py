"""The httpx plumbing shared by the model-server backends: streamed JSON POSTs, failures mapped onto the error tree.

HTTP status → error (retryable ones are wrapped in ``RetryableError`` for ``with_retries``):
402, or 429 with ``insufficient_quota`` → ``ModelQuotaError``; 429 → ``ModelRateLimitError`` (retried);
5xx and unreachable servers → ``ModelUnavailableError`` (retried); 401/403 → ``ModelAuthError``;
other 4xx → ``ModelResponseError``; no bytes within the read timeout → ``ModelTimeoutError``.
The API key never appears in a message: it is scrubbed from whatever the server says.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

from ..errors import (
    ConfigurationError,
    ModelAuthError,
    ModelError,
    ModelQuotaError,
    ModelRateLimitError,
    ModelResponseError,
    ModelTimeoutError,
    ModelUnavailableError,
)
from ..settings import ModelSettings
from .http_retry import RetryableError, parse_retry_after

_QUOTA_CODES = {"insufficient_quota", "quota_exceeded", "billing_hard_limit_reached"}
_MESSAGE_LIMIT = 300


def server_message(body: bytes) -> tuple[str, str]:
    """(message, code) from an error body: OpenAI's ``{"error": {...}}``, Ollama's ``{"error": "..."}`` or text."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        payload = json.loads(text)
    except ValueError:
        return text[:_MESSAGE_LIMIT] or "no details", ""
    error = payload.get("error", payload) if isinstance(payload, dict) else payload
    if isinstance(error, dict):
        message = error.get("message") or error.get("detail") or json.dumps(error, ensure_ascii=False)
        code = error.get("code") or error.get("type") or ""
        return str(message)[:_MESSAGE_LIMIT], str(code)
    return str(error)[:_MESSAGE_LIMIT], ""


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait a server asked for, from ``retry-after-ms`` (OpenAI) or ``Retry-After``."""
    milliseconds = parse_retry_after(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000
    return parse_retry_after(headers.get("retry-after"))


def error_for_status(
    status: int, headers: Mapping[str, str], body: bytes, server: str, not_found: str | None = None
) -> ModelError | RetryableError:
    """The error an HTTP failure status stands for; retryable ones come wrapped in ``RetryableError``."""
    message, code = server_message(body)
    said = f"HTTP {status}: {message}"
    if status == 402 or (status == 429 and code in _QUOTA_CODES):
        return ModelQuotaError(
            f"{server} says the quota or billing limit is used up ({said}). "
            "Check the account's plan and billing; retrying will not help."
        )
    if status == 429:
        wait = retry_after_seconds(headers)
        hint = f"Wait {wait:g} s and try again" if wait is not None else "Wait a little and try again"
        limited = ModelRateLimitError(f"{server} is rate limiting requests ({said}). {hint}.", retry_after=wait)
        return RetryableError(limited, wait)
    if status >= 500:
        failed = ModelUnavailableError(f"{server} failed ({said}). Try again later or check the server's logs.")
        return RetryableError(failed, retry_after_seconds(headers))
    if status in (401, 403):
        return ModelAuthError(
            f"{server} refused the API key ({said}). Set a valid key in ASSISTANT_MODEL__API_KEY "
            "and check that it may use this model."
        )
    if status == 404:
        advice = "Check ASSISTANT_MODEL__MODEL and ASSISTANT_MODEL__BASE_URL."
        return ModelResponseError(
            f"{not_found} ({said})" if not_found else f"{server} has no such model ({said}). {advice}"
        )
    return ModelResponseError(f"{server} rejected the request ({said}). Check the ASSISTANT_MODEL__* settings.")


class StreamingClient:
    """POSTs JSON to one model server and hands back the streamed response, failures mapped onto the error tree."""

    def __init__(self, settings: ModelSettings, server: str) -> None:
        self.server = server
        self._secret = settings.api_key.get_secret_value() if settings.api_key is not None else ""
        self._read_timeout = settings.timeout
        self._timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
        self._headers = {"Authorization": f"Bearer {self._secret}"} if self._secret else {}
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def scrub(self, text: str) -> str:
        """``text`` with the API key masked, should a server echo it."""
        return text.replace(self._secret, "***") if self._secret else text

    @asynccontextmanager
    async def post(
        self, url: str, payload: dict[str, Any], not_found: str | None = None
    ) -> AsyncIterator[httpx.Response]:
        """The open, successful streamed response to a JSON POST; errors raised while reading it are mapped too."""
        try:
            async with self._session().stream("POST", url, json=payload, headers=self._headers) as response:
                if response.status_code >= 400:
                    body = self.scrub((await response.aread()).decode("utf-8", errors="replace")).encode()
                    raise error_for_status(response.status_code, response.headers, body, self.server, not_found)
                yield response
        except (httpx.ReadTimeout, httpx.WriteTimeout) as error:
            raise ModelTimeoutError(
                f"{self.server} sent nothing for {self._read_timeout:g} s. "
                "Raise ASSISTANT_MODEL__TIMEOUT or use a smaller model."
            ) from error
        except httpx.UnsupportedProtocol as error:
            raise ConfigurationError(
                f"The model server address '{url}' is not an http:// or https:// URL. Fix ASSISTANT_MODEL__BASE_URL."
            ) from error
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise RetryableError(
                ModelUnavailableError(
                    f"Cannot reach {self.server} ({type(error).__name__}). "
                    "Check that it is running and that ASSISTANT_MODEL__BASE_URL is right."
                )
            ) from error
        except httpx.TransportError as error:
            raise RetryableError(
                ModelUnavailableError(
                    f"The connection to {self.server} broke off ({type(error).__name__}). Try again later."
                )
            ) from error

    async def aclose(self) -> None:
        """Close the connections of the current event loop's client."""
        client, self._client = self._client, None
        if client is not None and self._loop is asyncio.get_running_loop():
            await client.aclose()

    def _session(self) -> httpx.AsyncClient:
        # Connections belong to the event loop that opened them; a new loop (a new asyncio.run) gets a new client.
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = httpx.AsyncClient(timeout=self._timeout)
            self._loop = loop
        return self._client
