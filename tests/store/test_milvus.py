"""What only the Milvus store has to show: how its writes recover, on a real Milvus (milvus-lite or MILVUS_URI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.embedding.base import Embedder
from assistant.indexing.analysis import Analysis
from assistant.settings import Settings, StoreSettings
from assistant.store.base import open_store
from assistant.store.milvus import MilvusStore, collection_name
from tests.store.test_contract import CONTACT, one


def test_rows_a_failed_delete_left_behind_are_not_counted_and_go_with_the_next_write(
    milvus: str, tmp_path: Path, embedder: Embedder | None, demo_analysis: Analysis
) -> None:
    settings = Settings(index_dir=tmp_path / "index", store=StoreSettings(backend="milvus", uri=milvus))
    store = open_store(settings, embedder, create=True)
    assert isinstance(store, MilvusStore) and store.name == collection_name(settings)
    try:
        store.replace(demo_analysis)
        before = store.stats()
        scores = {h.passage.id: h.keyword_score for h in store.keyword_search(CONTACT, 10)}
        contact = one(demo_analysis, "faq-ko-contact")
        real = store.client.delete

        def losing_the_old_rows(collection: str, **options: Any) -> Any:
            if "token !=" in options.get("filter", ""):
                raise ConnectionError("lost on the way")
            return real(collection, **options)

        store.client.delete = losing_the_old_rows
        with pytest.raises(ConnectionError):
            store.replace(contact)
        store.client.delete = real
        assert store.stats() == before  # the old rows are still there, but not in the statistics
        store.replace(contact)
        assert store.stats() == before
        again = {h.passage.id: h.keyword_score for h in store.keyword_search(CONTACT, 10)}
        assert again == pytest.approx(scores, abs=1e-6)
        rows = store.client.query(store.name, filter='document_id == "faq-ko-contact"', output_fields=["token"])
        assert len({row["token"] for row in rows}) == 1 and len(rows) == len(contact.passages)
    finally:
        store.drop()
        store.close()


def test_an_unreachable_milvus_says_where_it_looked(tmp_path: Path) -> None:
    from assistant.errors import StoreUnavailableError

    settings = Settings(index_dir=tmp_path, store=StoreSettings(backend="milvus", uri="http://127.0.0.1:9"))
    with pytest.raises(StoreUnavailableError, match=r"http://127\.0\.0\.1:9.*ASSISTANT_STORE__URI"):
        open_store(settings, None)
