"""Retrievers for other frameworks (``pip install 'assistant[integrations]'``), thin adapters over the search API
or the Python core: ``integrations.langchain`` (LangChain) and ``integrations.llama_index`` (LlamaIndex)."""
