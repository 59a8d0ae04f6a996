"""Embeddings from any OpenAI-compatible server's ``POST /v1/embeddings`` (Ollama, vLLM, TEI, llama.cpp, OpenAI).

Texts go in batches of ``batch_size``; rows come back in input order, normalised. The vector size is set
(``expected_dimension``) or learnt from the first answer, and every later answer must match it.
HTTP status → error: 401/403 → ``EmbedderResponseError`` (the key); 404 and other 4xx → ``EmbedderResponseError``;
429, 5xx, timeouts and unreachable servers are retried with backoff, then ``EmbedderUnavailableError``.
The API key never appears in a message. Calls are synchronous: the assistant embeds in worker threads.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import numpy as np
from tenacity import Retrying

from ..errors import ConfigurationError, EmbedderError, EmbedderResponseError, EmbedderUnavailableError
from ..models.http_client import retry_after_seconds, server_message
from ..models.http_retry import RetryPolicy
from ..settings import EmbedderSettings
from .base import EmbedderInfo, normalise_rows
from .prefixes import default_prefixes


class _Retry(Exception):
    """An attempt that a later one may not meet; carries the error to raise when the retries run out."""

    def __init__(self, error: EmbedderError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class OpenAICompatibleEmbedder:
    """Batched ``/embeddings`` calls over one pooled httpx client (safe to share between threads)."""

    def __init__(self, settings: EmbedderSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.model = settings.model
        self.url = settings.base_url.rstrip("/") + "/embeddings"
        self.server = f"The embedding server at {settings.base_url}"
        self.batch_size = settings.batch_size
        family_query, family_passage = default_prefixes(settings.model)
        self.query_prefix = family_query if settings.query_prefix is None else settings.query_prefix
        self.passage_prefix = family_passage if settings.passage_prefix is None else settings.passage_prefix
        self.id = f"openai:{settings.model}"
        self._expected = settings.expected_dimension
        self._dimension = settings.expected_dimension
        self._dimension_lock = threading.Lock()
        self._secret = settings.api_key.get_secret_value() if settings.api_key is not None else ""
        self._headers = {"Authorization": f"Bearer {self._secret}"} if self._secret else {}
        self._timeout = settings.timeout
        self._policy = RetryPolicy(max_retries=settings.max_retries)
        self._sleep = sleep
        self._client = httpx.Client(timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 10.0)))

    @classmethod
    def from_settings(cls, settings: EmbedderSettings) -> OpenAICompatibleEmbedder:
        """The server at ``settings.base_url`` serving ``settings.model``."""
        return cls(settings)

    @property
    def dimension(self) -> int:
        """The vector size: set, learnt from an earlier answer, or asked of the server now (one short request)."""
        if self._dimension is None:
            self._embed(["dimension"], "")
        assert self._dimension is not None
        return self._dimension

    def describe(self) -> EmbedderInfo:
        """Name, model, dimension and prefixes (the version is the server's business)."""
        return EmbedderInfo("openai", self.model, "", self.dimension, self.query_prefix, self.passage_prefix)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of passages (with the passage prefix)."""
        return self._embed(texts, self.passage_prefix)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of queries (with the query prefix)."""
        return self._embed(texts, self.query_prefix)

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def _embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension or 0), dtype=np.float32)
        batches = [
            self._post([prefix + text for text in texts[start : start + self.batch_size]])
            for start in range(0, len(texts), self.batch_size)
        ]
        return normalise_rows(np.concatenate(batches))

    def _post(self, texts: list[str]) -> np.ndarray:
        """One batch, retried on failures that may pass."""
        payload = {"model": self.model, "input": texts, "encoding_format": "float"}
        retrying = Retrying(sleep=self._sleep, **self._policy.tenacity_options(_Retry))
        try:
            return retrying(self._attempt, payload, len(texts))
        except _Retry as failure:
            raise failure.error from failure.__cause__

    def _attempt(self, payload: dict[str, Any], count: int) -> np.ndarray:
        try:
            response = self._client.post(self.url, json=payload, headers=self._headers)
        except httpx.UnsupportedProtocol as error:
            raise ConfigurationError(
                f"'{self.url}' is not an http:// or https:// URL. Fix ASSISTANT_EMBEDDER__BASE_URL."
            ) from error
        except httpx.TimeoutException as error:
            raise _Retry(
                EmbedderUnavailableError(
                    f"{self.server} sent nothing for {self._timeout:g} s. Raise ASSISTANT_EMBEDDER__TIMEOUT "
                    "or lower ASSISTANT_EMBEDDER__BATCH_SIZE."
                )
            ) from error
        except httpx.TransportError as error:
            raise _Retry(
                EmbedderUnavailableError(
                    f"Cannot reach {self.server} ({type(error).__name__}). Check that it is running and that "
                    "ASSISTANT_EMBEDDER__BASE_URL is right."
                )
            ) from error
        if response.status_code >= 400:
            raise self._failure(response)
        return self._rows(response, count)

    def _failure(self, response: httpx.Response) -> EmbedderError | _Retry:
        status = response.status_code
        message, _ = server_message(self._scrub(response.text).encode())
        said = f"HTTP {status}: {message}"
        if status == 429 or status >= 500:
            wait = retry_after_seconds(response.headers)
            return _Retry(EmbedderUnavailableError(f"{self.server} keeps failing ({said}). Try again later."), wait)
        if status in (401, 403):
            return EmbedderResponseError(
                f"{self.server} refused the API key ({said}). Set a valid key in ASSISTANT_EMBEDDER__API_KEY."
            )
        if status == 404:
            return EmbedderResponseError(
                f"{self.server} has no embedding model '{self.model}' or no /embeddings route ({said}). "
                "Check ASSISTANT_EMBEDDER__MODEL and ASSISTANT_EMBEDDER__BASE_URL (it ends in /v1)."
            )
        return EmbedderResponseError(
            f"{self.server} rejected the request ({said}). Check ASSISTANT_EMBEDDER__MODEL, or lower "
            "ASSISTANT_EMBEDDER__BATCH_SIZE if the batch was too large."
        )

    def _rows(self, response: httpx.Response, count: int) -> np.ndarray:
        """The answer's vectors in input order, checked for count and size."""
        try:
            items = response.json()["data"]
            items = sorted(items, key=lambda item: item.get("index", 0)) if all("index" in i for i in items) else items
            rows = [_vector(item["embedding"]) for item in items]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise EmbedderResponseError(
                f"{self.server} did not answer in the OpenAI embeddings format ({type(error).__name__}: "
                f"{self._scrub(str(error))[:200]}). Check ASSISTANT_EMBEDDER__BASE_URL (it ends in /v1)."
            ) from error
        if len(rows) != count:
            raise EmbedderResponseError(f"{self.server} returned {len(rows)} vectors for {count} texts.")
        sizes = {len(row) for row in rows}
        if len(sizes) != 1:
            raise EmbedderResponseError(f"{self.server} returned vectors of different sizes {sorted(sizes)}.")
        size = sizes.pop()
        with self._dimension_lock:
            if self._dimension is None:
                self._dimension = size
        if size != self._dimension:
            where = "ASSISTANT_EMBEDDER__EXPECTED_DIMENSION" if self._expected else "its first answer"
            raise EmbedderResponseError(
                f"{self.server} returned {size}-dimensional vectors for '{self.model}', but {self._dimension} were "
                f"expected (from {where}). Check ASSISTANT_EMBEDDER__MODEL"
                + (" and ASSISTANT_EMBEDDER__EXPECTED_DIMENSION." if self._expected else ".")
            )
        try:
            matrix = np.asarray(rows, dtype=np.float32)
        except (ValueError, TypeError) as error:
            raise EmbedderResponseError(f"{self.server} returned vectors that are not numbers ({error}).") from error
        if not np.isfinite(matrix).all():
            raise EmbedderResponseError(f"{self.server} returned vectors with NaN or infinite values.")
        return matrix

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text


def _vector(embedding: Any) -> list[float] | np.ndarray:
    """A row from a JSON list of numbers, or from base64 little-endian float32 (what some clients ask for)."""
    if isinstance(embedding, str):
        return np.frombuffer(base64.b64decode(embedding), dtype="<f4")
    if not isinstance(embedding, list):
        raise TypeError(f"an embedding is a {type(embedding).__name__}, not a list of numbers")
    return embedding
