"""The LangChain retriever over real HTTP and in-process, sync and async, and its install hint."""

from __future__ import annotations

import asyncio
import importlib
import sys

import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from assistant.errors import MissingDependencyError, UnauthorizedError
from assistant.integrations.langchain import AssistantRetriever
from assistant.retrieval.retriever import Retriever
from tests.integrations.conftest import CHINESE, KEY, KOREAN, METADATA_KEYS, TRADITIONAL


def test_over_http_korean_and_chinese_questions_find_their_documents(service_url: str) -> None:
    retriever = AssistantRetriever.from_url(service_url, api_key=KEY, k=3)
    for query, document in (KOREAN, CHINESE, TRADITIONAL):
        documents = retriever.invoke(query)
        assert len(documents) == 3 and all(isinstance(d, Document) for d in documents)
        assert documents[0].metadata["document_id"] == document
    first = retriever.invoke(KOREAN[0])[0]
    assert "044-202-6352" in first.page_content and first.id == first.metadata["passage_id"]
    assert set(first.metadata) == METADATA_KEYS and first.metadata["language"] == "ko"
    assert first.metadata["end"] - first.metadata["start"] == len(first.page_content)
    assert KEY not in repr(retriever)


def test_in_process_matches_http_and_k_can_be_given_per_call(service_url: str, core: Retriever) -> None:
    local = AssistantRetriever.from_retriever(core, k=4)
    remote = AssistantRetriever.from_url(service_url, api_key=KEY, k=4)
    assert [d.id for d in local.invoke(CHINESE[0])] == [d.id for d in remote.invoke(CHINESE[0])]
    assert len(local.invoke(KOREAN[0], k=2)) == 2 and len(remote.invoke(KOREAN[0], k=2)) == 2


def test_async_over_http_and_in_process(service_url: str, core: Retriever) -> None:
    remote = AssistantRetriever.from_url(service_url, api_key=KEY)
    local = AssistantRetriever.from_retriever(core)

    async def both() -> list[list[Document]]:
        return list(await asyncio.gather(remote.ainvoke(TRADITIONAL[0]), local.ainvoke(KOREAN[0], k=1)))

    over_http, in_process = asyncio.run(both())
    assert over_http[0].metadata["document_id"] == TRADITIONAL[1]
    assert [d.metadata["document_id"] for d in in_process] == [KOREAN[1]]


def test_it_composes_in_a_chain(core: Retriever) -> None:
    titles = AssistantRetriever.from_retriever(core, k=2) | RunnableLambda(lambda ds: [d.metadata["title"] for d in ds])
    assert len(titles.invoke(KOREAN[0])) == 2


def test_a_wrong_key_raises_the_services_unauthorized_error(service_url: str) -> None:
    retriever = AssistantRetriever.from_url(service_url, api_key="wrong-key")
    with pytest.raises(UnauthorizedError, match=r"The API key was not accepted.*answered 401"):
        retriever.invoke(KOREAN[0])
    with pytest.raises(UnauthorizedError):
        asyncio.run(retriever.ainvoke(KOREAN[0]))


def test_without_langchain_core_the_import_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in sys.modules if n == "langchain_core" or n.startswith("langchain_core.")]:
        monkeypatch.setitem(sys.modules, name, None)  # as if it were not installed
    monkeypatch.delitem(sys.modules, "assistant.integrations.langchain")
    with pytest.raises(MissingDependencyError, match=r"pip install 'assistant\[integrations\]'") as error:
        importlib.import_module("assistant.integrations.langchain")
    assert error.value.package == "langchain-core"
