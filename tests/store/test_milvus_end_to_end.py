"""The Milvus store end to end: the ``assistant`` CLI as a subprocess, and the HTTP API's document writes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.api.app import create_app
from assistant.embedding.base import create_embedder
from assistant.indexing.builder import build_index
from assistant.settings import ApiSettings, ConversationSettings, Settings, StoreSettings
from assistant.store.base import open_store
from tests.api.live_server import live_server
from tests.cli.test_cli import run
from tests.conftest import CORPUS

CONTACT = "가상융합산업 진흥 기본계획 문의 전화번호"
CONTACTS = {"faq-ko-contact", "ko-contact-department"}


def drop(settings: Settings) -> None:
    store = open_store(settings)
    store.drop()  # type: ignore[attr-defined]
    store.close()


def test_the_cli_builds_and_searches_a_milvus_index(milvus: str, tmp_path: Path) -> None:
    index = tmp_path / "index"
    env = {"ASSISTANT_STORE__BACKEND": "milvus", "ASSISTANT_STORE__URI": milvus}
    built = run("index", "build", "--corpus", str(CORPUS), "--index", str(index), "--json", env=env)
    assert built.returncode == 0, built.stderr
    report = json.loads(built.stdout)
    assert report["mode"] == "full" and report["documents"] == len(report["added"]) > 10
    assert {"ko", "zh-Hans", "zh-Hant"} <= set(report["languages"])
    try:
        found = run("search", CONTACT, "--index", str(index), "--json", env=env)
        assert found.returncode == 0, found.stderr
        hits = json.loads(found.stdout)
        assert hits and hits[0]["document_id"] in CONTACTS
        described = run("index", "info", "--index", str(index), "--json", env=env)
        assert described.returncode == 0, described.stderr
        info = json.loads(described.stdout)
        assert info["collection"].startswith(f"milvus {milvus} · assistant_index_") and "__" in info["collection"]
        assert (info["documents"], info["passages"]) == (report["documents"], report["passages"])
        assert info["embedder"] == create_embedder(Settings().embedder).id and info["dimension"] > 0
        table = run("index", "info", "--index", str(index), env=env)
        assert table.returncode == 0 and "collection" in table.stdout and "size on disk" not in table.stdout
        again = run("index", "build", "--corpus", str(CORPUS), "--index", str(index), "--json", env=env)
        assert again.returncode == 0 and json.loads(again.stdout)["mode"] == "unchanged", again.stderr
        local = run("search", CONTACT, "--index", str(index), "--json")
        assert local.returncode != 0 and "index build" in local.stderr  # nothing was written to the folder
    finally:
        drop(Settings(index_dir=index, store=StoreSettings(backend="milvus", uri=milvus)))


@pytest.fixture
def served(milvus: str, tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("ko-contact-department.txt", "zh-hant-xr-defense.md", "ko-five-focus-points.md"):
        shutil.copy(CORPUS / name, corpus / name)
    settings = Settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", store=StoreSettings(backend="milvus", uri=milvus),
        conversations=ConversationSettings(path=tmp_path / "conversations.sqlite3"), api=ApiSettings(rate_limit=0),
    )  # fmt: skip
    build_index(settings)
    try:
        with live_server(create_app(settings)) as url:
            yield url, settings
    finally:
        drop(settings)


def test_documents_uploaded_and_deleted_over_http_go_through_milvus(served: tuple[str, Settings]) -> None:
    url, settings = served
    text = "서울 고양이 도서관은 매주 수요일에 고양이 사료 보관법 강좌를 연다."
    added = httpx.post(f"{url}/v1/documents/text", json={"id": "cat-library", "title": "고양이 도서관", "text": text})
    assert added.status_code == 201, added.text
    tea = "# 茶葉筆記\n\n烏龍茶的焙火程度決定了它的香氣。".encode()
    upload = httpx.post(f"{url}/v1/documents", files={"file": ("tea-notes.md", tea)})
    assert upload.status_code == 201, upload.text
    listed = {d["id"] for d in httpx.get(f"{url}/v1/documents").json()["documents"]}
    assert {"cat-library", "tea-notes", "ko-contact-department"} <= listed
    store = open_store(settings)  # what Milvus holds, seen from outside the server
    assert {"cat-library", "tea-notes"} <= {entry.id for entry in store.documents()}

    def top(query: str) -> str:
        hits = httpx.get(f"{url}/v1/search", params={"q": query, "k": 1}, timeout=30).json()["hits"]
        return str(hits[0]["document_id"]) if hits else ""

    assert top("고양이 사료 보관법 강좌") == "cat-library"
    assert top("烏龍茶 焙火") == "tea-notes"
    assert httpx.delete(f"{url}/v1/documents/cat-library").status_code == 200
    assert "cat-library" not in {d["id"] for d in httpx.get(f"{url}/v1/documents").json()["documents"]}
    assert top("고양이 사료 보관법 강좌") != "cat-library"
    assert "cat-library" not in {entry.id for entry in store.documents()}
    assert httpx.get(f"{url}/readyz").json()["documents"] == len(listed) - 1
    store.close()
