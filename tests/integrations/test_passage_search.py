"""Where the framework retrievers get passages: the search API over real HTTP and the core in-process give the same
hits; the service's errors come back as the error tree's classes with the service's message."""

from __future__ import annotations

import asyncio
import socket

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from assistant.errors import (
    ConfigurationError,
    IndexNotFoundError,
    InvalidQueryError,
    InvalidTextError,
    ServiceError,
    UnauthorizedError,
)
from assistant.integrations.passage_search import CoreSearch, ServiceSearch, hit_metadata, service_error
from assistant.records import Language
from assistant.retrieval.retriever import Retriever
from tests.api.live_server import live_server
from tests.integrations.conftest import CHINESE, KEY, KOREAN, METADATA_KEYS, TRADITIONAL


def test_the_service_and_the_core_give_the_same_hits_for_korean_and_chinese(service_url: str, core: Retriever) -> None:
    remote, local = ServiceSearch(service_url, KEY), CoreSearch(core)
    for query, document in (KOREAN, CHINESE, TRADITIONAL):
        over_http, in_process = remote.search(query, 4), local.search(query, 4)
        assert over_http[0].passage.document_id == document
        assert [hit.passage for hit in over_http] == [hit.passage for hit in in_process]
        assert [hit.score for hit in over_http] == pytest.approx([hit.score for hit in in_process], abs=1e-6)
    hit = remote.search(KOREAN[0], 1)[0]
    assert "044-202-6352" in hit.passage.text and hit.passage.language is Language.KOREAN
    assert set(hit_metadata(hit)) == METADATA_KEYS and hit_metadata(hit)["end"] > hit_metadata(hit)["start"]


def test_the_async_twins_search_too(service_url: str, core: Retriever) -> None:
    async def both() -> tuple[list[str], list[str]]:
        remote = ServiceSearch(service_url, KEY).asearch(CHINESE[0], 2)
        over_http, in_process = await asyncio.gather(remote, CoreSearch(core).asearch(CHINESE[0], 2))
        return [h.passage.id for h in over_http], [h.passage.id for h in in_process]

    over_http, in_process = asyncio.run(both())
    assert over_http == in_process and len(over_http) == 2 and over_http[0].startswith(CHINESE[1] + "#")


def test_a_wrong_or_missing_key_is_an_unauthorized_error_with_the_services_message(service_url: str) -> None:
    with pytest.raises(UnauthorizedError, match="The API key was not accepted") as wrong:
        ServiceSearch(service_url, "not-the-key").search(KOREAN[0], 3)
    assert f"the assistant service at {service_url} answered 401" in str(wrong.value)
    assert "not-the-key" not in str(wrong.value)
    with pytest.raises(UnauthorizedError, match="Authorization: Bearer"):
        asyncio.run(ServiceSearch(service_url).asearch(KOREAN[0], 3))


def test_a_bad_request_is_an_invalid_query_error(service_url: str) -> None:
    with pytest.raises(InvalidQueryError, match="answered 422"):
        ServiceSearch(service_url, KEY).search(KOREAN[0], 0)
    with pytest.raises(InvalidTextError):
        ServiceSearch(service_url, KEY).search("서울\x00", 3)


def test_an_unreachable_service_is_a_service_error_that_names_the_url() -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(ServiceError, match=f"Cannot reach the assistant service at {url}"):
        ServiceSearch(url, timeout=5).search("서울", 3)
    with pytest.raises(ServiceError, match="Cannot reach"):
        asyncio.run(ServiceSearch(url, timeout=5).asearch("서울", 3))


def test_a_server_that_is_not_the_assistant_is_a_service_error() -> None:
    other = FastAPI()

    @other.get("/v1/search")
    def search() -> PlainTextResponse:
        return PlainTextResponse("hello")

    with live_server(other) as url:
        with pytest.raises(ServiceError, match="not a search result"):
            ServiceSearch(url).search("서울", 3)
        with pytest.raises(ServiceError, match=r"answered 404.*Is it an assistant service"):
            ServiceSearch(url + "/elsewhere").search("서울", 3)


def test_error_codes_map_onto_the_error_tree_and_unknown_ones_onto_the_status() -> None:
    def error(status: int, code: str) -> Exception:
        return service_error(status, f'{{"error": {{"code": "{code}", "message": "told"}}}}'.encode(), "http://x")

    assert type(error(503, "index_not_found")) is IndexNotFoundError
    assert type(error(500, "missing_dependency")) is ConfigurationError  # its own class needs more than a message
    assert type(error(422, "invalid_request")) is InvalidQueryError
    assert type(error(429, "rate_limited")) is ServiceError
    assert str(error(401, "unauthorized")) == "told (the assistant service at http://x answered 401)"
