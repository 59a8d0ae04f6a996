"""The demo index served over real HTTP with an API key, and the same index searched in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.api.app import create_app
from assistant.indexing.search_index import SearchIndex
from assistant.retrieval.retriever import Retriever
from assistant.settings import ApiSettings, ConversationSettings, RetrievalSettings, Settings
from tests.api.live_server import live_server
from tests.conftest import CORPUS

KEY = "integration-key-1"

# Queries the demo corpus answers, and the document each must find first.
KOREAN = ("가상융합산업 진흥 기본계획 담당 부서 전화번호는?", "ko-contact-department")
CHINESE = ("护理学生训练每年节省多少训练成本", "zh-hant-xr-medical")  # Simplified question, Traditional document
TRADITIONAL = ("首爾 元宇宙 七大領域", "zh-hans-metaverse-seoul-seven-areas")

METADATA_KEYS = {"passage_id", "document_id", "title", "section", "source", "language", "start", "end", "score"}


@pytest.fixture(scope="package")
def service_url(demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The search API over the demo index (read-only here), on loopback, with one reader key."""
    tmp = tmp_path_factory.mktemp("integrations")
    settings = Settings(
        corpus_dir=CORPUS,
        index_dir=demo_index_dir,
        conversations=ConversationSettings(path=tmp / "conversations.sqlite3"),
        api=ApiSettings(api_keys=[SecretStr(KEY)], keys_file=tmp / "keys.json", rate_limit=0),
    )
    with live_server(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="package")
def core(demo_index: SearchIndex) -> Retriever:
    """The demo index searched in this process, with the default retrieval settings (as the service has)."""
    return Retriever(demo_index, RetrievalSettings())
