"""Shared fixtures: the demo corpus, the seed files, settings pointing at temporary folders, built indexes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Nothing in the tests may reach a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.embedding.base import create_embedder
from assistant.indexing.builder import build_index, open_index
from assistant.indexing.search_index import SearchIndex
from assistant.settings import Settings
from tests.redis_server import redis_server, redis_settings  # noqa: F401  (fixtures for every test folder)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(autouse=True)
def _clean_assistant_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("ASSISTANT_"):
            monkeypatch.delenv(name)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings with the demo corpus and a fresh index folder."""
    return Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index")


@pytest.fixture(scope="session")
def demo_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus built once with default settings (read-only for tests)."""
    folder = tmp_path_factory.mktemp("demo") / "index"
    build_index(Settings(corpus_dir=CORPUS, index_dir=folder))
    return folder


@pytest.fixture(scope="session")
def demo_index(demo_index_dir: Path) -> SearchIndex:
    """The demo index, loaded."""
    return open_index(Settings(corpus_dir=CORPUS, index_dir=demo_index_dir))


@pytest.fixture
def seed_corpus(tmp_path: Path) -> Path:
    """The two shared seed files dropped into a corpus as users would have them (.md)."""
    if not SEEDS.is_dir():
        pytest.skip("shared/seeds is not beside the project")
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEEDS / "000_fbc76e231001d382.txt", folder / "news-ko.md")
    shutil.copy(SEEDS / "004_8b59fe89a2bc8214.txt", folder / "report-zh-hant.md")
    return folder


def fresh_index(settings: Settings) -> SearchIndex:
    """An empty in-memory index with the settings' embedder."""
    return SearchIndex(settings, create_embedder(settings.embedder))
