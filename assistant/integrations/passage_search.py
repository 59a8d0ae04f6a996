"""Where the framework retrievers get their passages: a running service's ``GET /v1/search``, or a ``Retriever``
in this process. Both give ``Hit`` records, so each framework adapter converts one shape.

Over HTTP, an error the service reports as ``{"error": {"code", "message"}}`` is raised as the class of the error
tree that has that code (``unauthorized`` → ``UnauthorizedError``, ``index_not_found`` → ``IndexNotFoundError``)
with the service's message; a code without a class of its own is raised by its HTTP status (422 →
``InvalidQueryError``), and a rate limit, an unreachable service or an answer off-protocol as ``ServiceError``.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, runtime_checkable

import httpx
from pydantic import SecretStr

from ..errors import (
    AssistantError,
    ForbiddenError,
    InvalidQueryError,
    NotFoundError,
    ServiceError,
    UnauthorizedError,
)
from ..models.http_client import server_message
from ..records import Hit, Passage
from ..retrieval.retriever import Retriever, SearchOptions

_BY_STATUS: dict[int, type[AssistantError]] = {
    400: InvalidQueryError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    413: InvalidQueryError,
    422: InvalidQueryError,
}


@runtime_checkable
class PassageSearch(Protocol):
    """What the framework adapters search: the best ``k`` hits for a query, best first, sync and async."""

    def search(self, query: str, k: int) -> list[Hit]: ...

    async def asearch(self, query: str, k: int) -> list[Hit]: ...


class CoreSearch:
    """Searches a ``Retriever`` in this process; the async twin runs the search in a worker thread."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    def search(self, query: str, k: int) -> list[Hit]:
        """The best ``k`` hits for the query."""
        return self.retriever.search(query, SearchOptions(top_k=k))

    async def asearch(self, query: str, k: int) -> list[Hit]:
        """The best ``k`` hits for the query, searched off the event loop."""
        return await asyncio.to_thread(self.search, query, k)


class ServiceSearch:
    """Calls ``GET /v1/search`` of a running assistant service, with the API key as ``Authorization: Bearer``.

    A client is made per call (so the async twin works from any event loop) around one TLS context made up front.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | SecretStr | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        self._headers = {"authorization": f"Bearer {key}"} if key else {}
        self._tls = httpx.create_ssl_context()

    def __repr__(self) -> str:
        return f"ServiceSearch({self.base_url!r}, api_key={'***' if self._headers else None})"

    def search(self, query: str, k: int) -> list[Hit]:
        """The best ``k`` hits for the query, from the service."""
        try:
            with httpx.Client(**self._client_options()) as client:
                response = client.get("/v1/search", params={"q": query, "k": k})
        except httpx.HTTPError as error:
            raise self._unreachable(error) from error
        return self._hits(response)

    async def asearch(self, query: str, k: int) -> list[Hit]:
        """The best ``k`` hits for the query, from the service, without blocking the event loop."""
        try:
            async with httpx.AsyncClient(**self._client_options()) as client:
                response = await client.get("/v1/search", params={"q": query, "k": k})
        except httpx.HTTPError as error:
            raise self._unreachable(error) from error
        return self._hits(response)

    def _client_options(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "headers": self._headers, "timeout": self.timeout, "verify": self._tls}

    def _unreachable(self, error: httpx.HTTPError) -> ServiceError:
        return ServiceError(
            f"Cannot reach the assistant service at {self.base_url} ({type(error).__name__}: {error}). "
            "Check the URL, and that `assistant serve` is running there."
        )

    def _hits(self, response: httpx.Response) -> list[Hit]:
        if response.status_code != 200:
            raise service_error(response.status_code, response.content, self.base_url)
        try:
            return [hit_from_dict(item) for item in response.json()["hits"]]
        except (ValueError, KeyError, TypeError) as error:
            raise ServiceError(
                f"The service at {self.base_url} answered /v1/search with something that is not a search result "
                f"({type(error).__name__}: {error}). Is it an assistant service?"
            ) from error


def hit_from_dict(data: dict[str, Any]) -> Hit:
    """A hit from the JSON of ``Hit.to_dict`` (the search API's shape); the per-side scores are not sent."""
    return Hit(Passage.from_dict(data), float(data["score"]))


def hit_metadata(hit: Hit) -> dict[str, Any]:
    """Everything about a hit but its text: passage and document ids, title, section, source, language, span, score."""
    return {key: value for key, value in hit.to_dict().items() if key != "text"}


def service_error(status: int, body: bytes, base_url: str) -> AssistantError:
    """The error-tree exception for an error answer of the service, carrying the service's own message."""
    message, code = server_message(body)
    where = f"(the assistant service at {base_url} answered {status})"
    if not code:
        return ServiceError(f"{message} {where}. Is it an assistant service? Check the URL.")
    error_class = _class_with_code(code) or _BY_STATUS.get(status, ServiceError)
    return error_class(f"{message} {where}")


def _class_with_code(code: str) -> type[AssistantError] | None:
    """The class of the error tree whose ``code`` is this one (its nearest base built from a message alone)."""
    pending: list[type[AssistantError]] = [AssistantError]
    while pending:
        error_class = pending.pop()
        if error_class.__dict__.get("code") == code and error_class.__module__ == AssistantError.__module__:
            while error_class.__init__ is not AssistantError.__init__:  # e.g. MissingDependencyError(package, …)
                error_class = error_class.__base__  # type: ignore[assignment]
            return error_class
        pending.extend(error_class.__subclasses__())
    return None
