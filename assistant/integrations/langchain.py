"""A LangChain retriever over the assistant, through a running service's search API or the Python core:

    retriever = AssistantRetriever.from_url("http://127.0.0.1:8000", api_key="…", k=4)
    retriever = AssistantRetriever.from_retriever(open_retriever(Settings(index_dir=Path("index"))))
    documents = retriever.invoke("메타버스 서울의 추진 기간은?")  # or await retriever.ainvoke(...)

Importing it without ``langchain-core`` raises ``MissingDependencyError`` naming the ``integrations`` extra.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field, SecretStr

from ..errors import MissingDependencyError

try:
    from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever
except ImportError as error:
    raise MissingDependencyError("langchain-core", "integrations", "The LangChain retriever") from error

from ..records import Hit
from ..retrieval.retriever import Retriever
from .passage_search import CoreSearch, PassageSearch, ServiceSearch, hit_metadata


class AssistantRetriever(BaseRetriever):
    """The assistant's passages as LangChain ``Document``s, best first: the passage text as ``page_content``, its id
    as ``id``, and in ``metadata`` the passage and document ids, title, section, source, language, the passage's
    character span in its document (``start``, ``end``) and the score. ``k`` can be given per call:
    ``retriever.invoke(query, k=3)``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    passage_search: PassageSearch
    k: int = Field(5, ge=1, le=50, description="How many passages to return.")

    @classmethod
    def from_url(
        cls, url: str, api_key: str | SecretStr | None = None, k: int = 5, timeout: float = 30.0
    ) -> AssistantRetriever:
        """A retriever calling ``GET /v1/search`` of the service at ``url``."""
        return cls(passage_search=ServiceSearch(url, api_key, timeout), k=k)

    @classmethod
    def from_retriever(cls, retriever: Retriever, k: int = 5) -> AssistantRetriever:
        """A retriever searching an index in this process (see ``assistant.indexing.builder.open_retriever``)."""
        return cls(passage_search=CoreSearch(retriever), k=k)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        return [_document(hit) for hit in self.passage_search.search(query, k or self.k)]

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        return [_document(hit) for hit in await self.passage_search.asearch(query, k or self.k)]


def _document(hit: Hit) -> Document:
    return Document(id=hit.passage.id, page_content=hit.passage.text, metadata=hit_metadata(hit))
