"""The LlamaIndex retriever over real HTTP and in-process, sync and async; its install hint; and that neither
framework adapter reaches the network when imported and used (llama-index once fetched NLTK data on first use)."""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
import textwrap

import pytest
from llama_index.core.schema import MetadataMode, NodeWithScore, TextNode

from assistant.errors import MissingDependencyError, UnauthorizedError
from assistant.integrations.llama_index import AssistantRetriever
from assistant.retrieval.retriever import Retriever
from tests.conftest import ROOT
from tests.integrations.conftest import CHINESE, KEY, KOREAN, METADATA_KEYS, TRADITIONAL


def test_over_http_korean_and_chinese_questions_find_their_documents(service_url: str) -> None:
    retriever = AssistantRetriever.from_url(service_url, api_key=KEY, k=3)
    for query, document in (KOREAN, CHINESE, TRADITIONAL):
        nodes = retriever.retrieve(query)
        assert len(nodes) == 3 and all(isinstance(n, NodeWithScore) and isinstance(n.node, TextNode) for n in nodes)
        assert nodes[0].node.ref_doc_id == document and nodes[0].score == nodes[0].node.metadata["score"]
    first = retriever.retrieve(KOREAN[0])[0].node
    assert isinstance(first, TextNode) and "044-202-6352" in first.text
    assert first.node_id == first.metadata["passage_id"] and set(first.metadata) == METADATA_KEYS
    assert (first.start_char_idx, first.end_char_idx) == (first.metadata["start"], first.metadata["end"])
    for_llm = first.get_content(metadata_mode=MetadataMode.LLM)
    assert first.metadata["title"] in for_llm and first.metadata["passage_id"] not in for_llm


def test_in_process_matches_http_sync_and_async(service_url: str, core: Retriever) -> None:
    local = AssistantRetriever.from_retriever(core, k=4)
    remote = AssistantRetriever.from_url(service_url, api_key=KEY, k=4)
    assert [n.node_id for n in local.retrieve(CHINESE[0])] == [n.node_id for n in remote.retrieve(CHINESE[0])]

    async def both() -> list[list[NodeWithScore]]:
        return list(await asyncio.gather(remote.aretrieve(TRADITIONAL[0]), local.aretrieve(KOREAN[0])))

    over_http, in_process = asyncio.run(both())
    assert over_http[0].node.ref_doc_id == TRADITIONAL[1] and in_process[0].node.ref_doc_id == KOREAN[1]


def test_a_wrong_key_raises_the_services_unauthorized_error(service_url: str) -> None:
    retriever = AssistantRetriever.from_url(service_url, api_key="wrong-key")
    with pytest.raises(UnauthorizedError, match=r"The API key was not accepted.*answered 401"):
        retriever.retrieve(KOREAN[0])
    with pytest.raises(UnauthorizedError):
        asyncio.run(retriever.aretrieve(KOREAN[0]))


def test_without_llama_index_the_import_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in sys.modules if n == "llama_index" or n.startswith("llama_index.")]:
        monkeypatch.setitem(sys.modules, name, None)  # as if it were not installed
    monkeypatch.delitem(sys.modules, "assistant.integrations.llama_index")
    with pytest.raises(MissingDependencyError, match=r"pip install 'assistant\[integrations\]'") as error:
        importlib.import_module("assistant.integrations.llama_index")
    assert error.value.package == "llama-index-core"


# Run in a fresh interpreter: an audit hook fails any DNS lookup or connection, then both adapters are imported
# and used over a stand-in search (every first-use path of the frameworks runs, none may download).
_NO_NETWORK = textwrap.dedent(
    """
    import asyncio, sys

    def guard(event, args):
        if event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
            raise RuntimeError(f"network use: {event} {args}")

    sys.addaudithook(guard)
    from assistant.integrations import langchain, llama_index
    from assistant.records import Hit, Language, Passage

    class Stand:
        def search(self, query, k):
            return [Hit(Passage("d#0", "d", "제목", "", "", Language.KOREAN, query, 0, len(query)), 1.0)]

        async def asearch(self, query, k):
            return self.search(query, k)

    lc, li = langchain.AssistantRetriever(passage_search=Stand()), llama_index.AssistantRetriever(Stand())
    assert lc.invoke("서울")[0].page_content == asyncio.run(lc.ainvoke("서울"))[0].page_content == "서울"
    assert li.retrieve("首尔")[0].node.get_content() == asyncio.run(li.aretrieve("首尔"))[0].node.get_content()
    print("offline ok")
    """
)


def test_the_adapters_import_and_run_without_the_network() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _NO_NETWORK], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and "offline ok" in done.stdout, done.stderr[-3000:]
