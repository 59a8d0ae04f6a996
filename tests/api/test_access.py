"""Who may do what, over real HTTP: conversations belong to their key, documents need an admin key, keys can be
made and revoked on a running service, and the docs and metrics are admin-only off loopback."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from assistant.access_keys import KeyFile, Role
from assistant.api.app import create_app
from assistant.api.security import check_exposure, key_checker
from assistant.errors import ConfigurationError
from assistant.settings import ApiSettings, ConversationSettings, Settings
from tests.api.live_server import live_server
from tests.conftest import CORPUS

READER_A = "reader-key-a"
READER_B = "reader-key-b"
ADMIN = "admin-key-1"
QUESTION = "가상융합산업 기본계획의 중점 방향은 몇 가지인가요?"


def served_settings(index_dir: Path, corpus_dir: Path, tmp: Path, **api: Any) -> Settings:
    keys = {"api_keys": [SecretStr(READER_A), SecretStr(READER_B)], "admin_keys": [SecretStr(ADMIN)]}
    return Settings(
        corpus_dir=corpus_dir,
        index_dir=index_dir,
        conversations=ConversationSettings(path=tmp / "conversations.sqlite3"),
        api=ApiSettings(rate_limit=0, keys_file=tmp / "keys.json", **{**keys, **api}),
    )


@pytest.fixture(scope="module")
def service(demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    """A writable copy of the demo index and corpus, served with two reader keys and one admin key."""
    tmp = tmp_path_factory.mktemp("access")
    shutil.copytree(demo_index_dir, tmp / "index")
    shutil.copytree(CORPUS, tmp / "corpus")
    settings = served_settings(tmp / "index", tmp / "corpus", tmp)
    with live_server(create_app(settings)) as url:
        yield url, settings


def call(url: str, method: str, path: str, key: str | None, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.request(method, url + path, headers=headers, timeout=30, **kwargs)


def ask(url: str, key: str, **body: Any) -> httpx.Response:
    return call(url, "POST", "/v1/answer", key, json={"question": QUESTION, **body})


def test_a_conversation_is_invisible_to_every_other_key(service: tuple[str, Settings]) -> None:
    url, _ = service
    first = ask(url, READER_A, user="web:a")
    assert first.status_code == 200, first.text
    conversation = first.json()["conversation_id"]
    path = f"/v1/conversations/{conversation}"
    for other in (READER_B, ADMIN):
        assert call(url, "GET", path, other).status_code == 404
        assert call(url, "DELETE", path, other).status_code == 404
        assert call(url, "POST", f"{path}/turns/0/feedback", other, json={"rating": -1}).status_code == 404
        continued = ask(url, other, conversation_id=conversation)
        assert continued.status_code == 404 and continued.json()["error"]["code"] == "not_found"
        streamed = call(
            url, "POST", "/v1/chat", other, json={"question": "그럼 예산은?", "conversation_id": conversation}
        )
        assert streamed.status_code == 404 and streamed.headers["content-type"].startswith("application/json")
        listed = call(url, "GET", "/v1/conversations", other).json()["conversations"]
        assert conversation not in [c["id"] for c in listed]
    owned = call(url, "GET", path, READER_A)
    assert owned.status_code == 200 and len(owned.json()["turns"]) == 1  # nobody else added a turn
    assert conversation in [c["id"] for c in call(url, "GET", "/v1/conversations", READER_A).json()["conversations"]]
    assert call(url, "POST", f"{path}/turns/0/feedback", READER_A, json={"rating": 1}).status_code == 200
    assert call(url, "DELETE", path, READER_A).status_code == 200


def test_an_id_nobody_started_cannot_be_claimed(service: tuple[str, Settings]) -> None:
    url, _ = service
    claimed = ask(url, READER_B, conversation_id="kakao:someone")
    assert claimed.status_code == 404 and "Leave conversation_id out" in claimed.json()["error"]["message"]


def test_readers_ask_and_list_documents_but_only_admins_change_them(service: tuple[str, Settings]) -> None:
    url, settings = service
    document = {
        "id": "access-note",
        "title": "접근 권한 안내",
        "text": "관리자 키만 문서를 바꿀 수 있다. 읽기 키는 질문만 한다.",
    }
    refused = call(url, "POST", "/v1/documents/text", READER_A, json=document)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "forbidden" and "admin key" in refused.json()["error"]["message"]
    upload = call(url, "POST", "/v1/documents", READER_A, files={"file": ("note.md", "# 제목\n\n본문입니다.".encode())})
    assert upload.status_code == 403
    assert call(url, "DELETE", "/v1/documents/ko-xr-defense", READER_A).status_code == 403
    assert not (settings.corpus_dir / "note.md").exists() and not (settings.corpus_dir / "access-note.jsonl").exists()
    assert call(url, "GET", "/v1/documents", READER_A).status_code == 200
    added = call(url, "POST", "/v1/documents/text", ADMIN, json=document)
    assert added.status_code in (201, 202), added.text
    assert call(url, "DELETE", "/v1/documents/access-note", ADMIN).status_code == 200


def wait_for_status(url: str, key: str, status: int) -> int:
    """Poll a cheap route until it answers ``status`` (the key file is re-read at most once a second)."""
    deadline = time.monotonic() + 10
    while True:
        got = call(url, "GET", "/v1/search", key, params={"q": "메타버스"}).status_code
        if got == status or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def test_keys_made_and_revoked_in_the_key_file_apply_to_the_running_service(service: tuple[str, Settings]) -> None:
    url, settings = service
    keys = KeyFile(settings.api.keys_file)
    key, record = keys.create(Role.ADMIN, "ops")
    assert key not in settings.api.keys_file.read_text() and record.sha256 in settings.api.keys_file.read_text()
    assert wait_for_status(url, key, 200) == 200
    document = {"id": "ops-note", "title": "운영", "text": "운영 키로 추가한 문서이다."}
    assert call(url, "POST", "/v1/documents/text", key, json=document).status_code in (201, 202)
    keys.revoke("ops")
    assert wait_for_status(url, key, 401) == 401
    assert call(url, "GET", "/v1/search", READER_A, params={"q": "메타버스"}).status_code == 200


def test_docs_and_metrics_need_an_admin_key_off_loopback(demo_index_dir: Path, tmp_path: Path) -> None:
    settings = served_settings(demo_index_dir, CORPUS, tmp_path, host="0.0.0.0")
    with live_server(create_app(settings)) as url:
        for path in ("/docs", "/docs/swagger-ui-bundle.js", "/redoc", "/redoc/redoc.standalone.js", "/openapi.json",
                     "/metrics"):  # fmt: skip
            assert call(url, "GET", path, None).status_code == 401
            assert call(url, "GET", path, READER_A).status_code == 403
            assert call(url, "GET", path, ADMIN).status_code == 200
        assert call(url, "GET", "/", None).status_code == 200  # the chat page itself needs no key
        assert call(url, "POST", "/v1/answer", READER_A, json={"question": QUESTION}).status_code == 200
    settings = served_settings(demo_index_dir, CORPUS, tmp_path)  # loopback: open, as on a developer's machine
    with live_server(create_app(settings)) as url:
        assert call(url, "GET", "/openapi.json", None).status_code == 200


def test_a_stateless_openai_call_stores_nothing_unless_a_user_is_named(service: tuple[str, Settings]) -> None:
    url, _ = service
    messages = [{"role": "user", "content": QUESTION}]
    before = call(url, "GET", "/v1/conversations", READER_B).json()["conversations"]
    plain = call(url, "POST", "/v1/chat/completions", READER_B, json={"model": "assistant", "messages": messages})
    assert plain.status_code == 200 and plain.json()["conversation_id"] is None
    assert call(url, "GET", "/v1/conversations", READER_B).json()["conversations"] == before
    named = call(
        url, "POST", "/v1/chat/completions", READER_B, json={"model": "assistant", "messages": messages, "user": "u1"}
    )
    kept = named.json()["conversation_id"]
    listed = call(url, "GET", "/v1/conversations", READER_B).json()["conversations"]
    assert kept and listed[0]["id"] == kept


def test_no_keys_off_loopback_is_refused_unless_meant(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    exposed = ApiSettings(host="0.0.0.0", keys_file=tmp_path / "none.json")
    with pytest.raises(ConfigurationError, match="--allow-open"):
        check_exposure(exposed, key_checker(exposed))
    check_exposure(exposed.model_copy(update={"allow_open": True}), key_checker(exposed))
    assert "NO API KEYS" in caplog.text
    KeyFile(tmp_path / "none.json").create(Role.READER)
    check_exposure(exposed, key_checker(exposed))  # a key file is enough


def test_serve_refuses_an_open_public_address_in_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "ASSISTANT_API__KEYS_FILE": str(tmp_path / "keys.json"), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "serve", "--host", "0.0.0.0", "--index", str(tmp_path / "index")],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Refusing to serve on 0.0.0.0" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "index").exists()  # refused before building anything
