"""A LlamaIndex retriever over the assistant, through a running service's search API or the Python core:

    retriever = AssistantRetriever.from_url("http://127.0.0.1:8000", api_key="…", k=4)
    retriever = AssistantRetriever.from_retriever(open_retriever(Settings(index_dir=Path("index"))))
    nodes = retriever.retrieve("首尔元宇宙的推进期限是？")  # or await retriever.aretrieve(...)

Only ``llama_index.core``'s retriever and node classes are imported: nothing here loads NLTK or tiktoken data.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from ..errors import MissingDependencyError

try:
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode
except ImportError as error:
    raise MissingDependencyError("llama-index-core", "integrations", "The LlamaIndex retriever") from error

from ..records import Hit
from ..retrieval.retriever import Retriever
from .passage_search import CoreSearch, PassageSearch, ServiceSearch, hit_metadata

# Kept in the node's metadata but out of the text an LLM or an embedder sees (title, section, source, language stay).
_MACHINE_KEYS = ["passage_id", "document_id", "start", "end", "score"]


class AssistantRetriever(BaseRetriever):
    """The assistant's passages as LlamaIndex ``NodeWithScore(TextNode)``s, best first: the passage id as the node
    id, its document as the node's source (``ref_doc_id``), its character span in the document as
    ``start_char_idx``/``end_char_idx``, and in ``metadata`` the ids, title, section, source, language, span and
    score."""

    def __init__(self, passage_search: PassageSearch, k: int = 5, **options: Any) -> None:
        super().__init__(**options)
        self.passage_search = passage_search
        self.k = k

    @classmethod
    def from_url(
        cls, url: str, api_key: str | SecretStr | None = None, k: int = 5, timeout: float = 30.0
    ) -> AssistantRetriever:
        """A retriever calling ``GET /v1/search`` of the service at ``url``."""
        return cls(ServiceSearch(url, api_key, timeout), k=k)

    @classmethod
    def from_retriever(cls, retriever: Retriever, k: int = 5) -> AssistantRetriever:
        """A retriever searching an index in this process (see ``assistant.indexing.builder.open_retriever``)."""
        return cls(CoreSearch(retriever), k=k)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [_node(hit) for hit in self.passage_search.search(query_bundle.query_str, self.k)]

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [_node(hit) for hit in await self.passage_search.asearch(query_bundle.query_str, self.k)]


def _node(hit: Hit) -> NodeWithScore:
    passage = hit.passage
    node = TextNode(
        id_=passage.id,
        text=passage.text,
        metadata=hit_metadata(hit),
        start_char_idx=passage.start,
        end_char_idx=passage.end,
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=passage.document_id)},
        excluded_embed_metadata_keys=_MACHINE_KEYS,
        excluded_llm_metadata_keys=_MACHINE_KEYS,
    )
    return NodeWithScore(node=node, score=hit.score)
