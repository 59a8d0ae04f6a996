"""Text fuzz over real HTTP: every string a client can send, on every route, with API keys configured and without.

What is not text (lone surrogates sent as JSON ``\\ud800`` escapes, NUL, control characters, noncharacters) comes back
as a 4xx in the one error shape, 422 ``invalid_text`` for free text; mixed scripts and 100k-character strings are
never a 5xx; no connection drops; and the service answers normally afterwards. The strings are read from the served
OpenAPI schema (``openapi_strings``), so a new field or route is fuzzed without changing this file.
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from assistant.api.app import create_app
from assistant.settings import Settings
from tests.api.bot_servers import BotServer
from tests.api.live_server import live_server
from tests.api.openapi_strings import Slot, Walker, json_body_schema, operations
from tests.api.test_api import QUESTION, settings_for
from tests.conftest import CORPUS

READER, ADMIN = "fuzz-reader-key", "fuzz-admin-key"
SECRET, TOKEN = "fuzz-telegram-secret", "123:fuzz-token"

# OpenAI and Ollama clients, Kakao and Telegram send fields these routes never read: accepted and ignored, never
# a 5xx.
IGNORED_EXTRAS = frozenset(
    {"ChatCompletionRequest", "ChatCompletionMessage", "KakaoSkillRequest", "KakaoUserRequest", "KakaoUser",
     "TelegramUpdate", "TelegramMessage", "TelegramChat",
     "OllamaChatRequest", "OllamaMessage", "OllamaGenerateRequest", "OllamaShowRequest"}
)  # fmt: skip
OUTSIDE_SCHEMA = [Slot("GET", "/static/{name}", "path", "name", free=True, checked=True)]  # the chat page's files

BAD = {
    "lone high surrogate": "질문 \ud800 끝",
    "lone low surrogate": "\udfff",
    "NUL": "메타\x00버스",
    "bell": "a\x07",
    "escape sequence": "\x1b[31mred",
    "form feed": "page\x0cbreak",
    "DEL": "\x7f",
    "C1 control": "\x85next",
    "noncharacter U+FFFF": "끝\uffff",
    "byte-swapped BOM U+FFFE": "\ufffe시작",
}
MIXED = (
    "서울시 메타버스 元宇宙計畫 元宇宙计划 Seoul 2026 😀👩\u200d👩\u200d👧 שלום مرحبا e\u0301 "
    "\u1100\u1161\u11a8 \u200f\u202e\ufeff\ue000 \U00020000 "
)
GOOD = {"mixed scripts": MIXED, "100k characters": (MIXED * (100_000 // len(MIXED) + 1))[:100_000]}
# A URL cannot carry 100k characters (httpx stops at 64 KB, uvicorn sooner): parameters get the longest that arrives.
URL_LONG = GOOD["100k characters"][:2500]


@pytest.fixture(scope="module")
def stand_in() -> Iterator[BotServer]:
    with BotServer() as server:
        yield server


@pytest.fixture(scope="module", params=["open", "keys"])
def served(
    request: pytest.FixtureRequest, demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory, stand_in: BotServer
) -> Iterator[tuple[str, dict[str, str]]]:
    """The service (its URL and the headers a client sends) without keys, and with reader and admin keys."""
    tmp = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    shutil.copytree(demo_index_dir, tmp / "index")
    shutil.copytree(CORPUS, tmp / "corpus")
    keys: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if request.param == "keys":
        keys = {"api_keys": [SecretStr(READER)], "admin_keys": [SecretStr(ADMIN)]}
        headers = {"X-API-Key": ADMIN}
    settings = settings_for(
        tmp / "index", tmp / "corpus", tmp, max_body_bytes=4_000_000, keys_file=tmp / "keys.json",
        telegram_secret=SecretStr(SECRET), telegram_token=SecretStr(TOKEN), telegram_api_base=stand_in.url, **keys,
    )  # fmt: skip
    with live_server(create_app(settings)) as url:
        yield url, headers


Base = tuple[Any, dict[str, Any]]  # an operation's valid example body (or None) and required query parameters


def slots_and_bases() -> tuple[list[Slot], dict[tuple[str, str], Base], Walker]:
    """Every string slot of the app's schema, and each operation's valid example body and query."""
    openapi = create_app(Settings()).openapi()
    walker = Walker(openapi, IGNORED_EXTRAS)
    bases: dict[tuple[str, str], Base] = {}
    for method, path, operation in operations(openapi):
        schema = json_body_schema(operation)
        query = {
            parameter["name"]: walker.example(parameter["schema"])
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "query" and parameter.get("required")
        }
        bases[(method, path)] = (None if schema is None else walker.example(schema), query)
    return [*walker.all_slots(), *OUTSIDE_SCHEMA], bases, walker


def _quote(value: str) -> str:
    return urllib.parse.quote(value.encode("utf-8", "surrogatepass"), safe="")


def request_for(slot: Slot, value: str, base: Base = (None, {})) -> tuple[str, bytes | None]:
    """The request target and JSON body (``\\uXXXX`` escapes for what UTF-8 cannot carry) with ``value`` at the slot."""
    body, query = base
    target = slot.path
    for name in [part[1:-1] for part in slot.path.split("/") if part.startswith("{")]:
        filler = value if slot.where == "path" and slot.name == name else ("0" if name == "turn" else "no-such-id")
        target = target.replace("{" + name + "}", _quote(filler))
    params = {name: str(example) for name, example in query.items()}
    if slot.where == "query":
        params[slot.name] = value
    if params:
        target += "?" + "&".join(f"{_quote(name)}={_quote(param)}" for name, param in params.items())
    if slot.where == "body":
        assert slot.body is not None
        return target, json.dumps(slot.body(value)).encode()
    return target, None if body is None else json.dumps(body).encode()


def problem_with(response: httpx.Response) -> str | None:
    """What is wrong with a response to a fuzzed request, if anything (any 2xx-4xx in our shape is fine)."""
    if response.status_code >= 500:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        return "an error event in the stream" if '"internal_error"' in response.text else None
    if response.status_code < 400:
        return None
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code} not in the error shape: {response.text[:300]}"
    if not (isinstance(error, dict) and set(error) == {"code", "message"} and error["code"] and error["message"]):
        return f"HTTP {response.status_code} not in the error shape: {response.text[:300]}"
    return None


def expect(slot: Slot, kind: str, response: httpx.Response) -> str | None:
    """Besides no 5xx: what a bad value must get (a URL turns a lone surrogate into U+FFFD: it arrives as text)."""
    if kind not in BAD or not slot.checked or (slot.where != "body" and "surrogate" in kind):
        return None
    if slot.free and (response.status_code != 422 or response.json()["error"]["code"] != "invalid_text"):
        return f"expected 422 invalid_text, got {response.status_code}: {response.text[:300]}"
    if not 400 <= response.status_code < 500:
        return f"expected a 4xx, got {response.status_code}: {response.text[:300]}"
    return None


def still_answers(client: httpx.Client, url: str) -> None:
    response = client.post(f"{url}/v1/answer", json={"question": QUESTION})
    assert response.status_code == 200 and response.json()["citations"], response.text


def test_every_string_of_every_route_refuses_what_is_not_text(served: tuple[str, dict[str, str]]) -> None:
    url, headers = served
    slots, bases, _ = slots_and_bases()
    assert len({(s.method, s.path) for s in slots}) >= 13 and len(slots) >= 40  # the schema walk found them all
    failures: list[str] = []
    sent = 0
    with httpx.Client(timeout=120, headers=headers) as client:
        for slot in slots:
            for kind, value in {**BAD, **GOOD}.items():
                if slot.where != "body" and kind == "100k characters":
                    value = URL_LONG
                target, body = request_for(slot, value, bases.get((slot.method, slot.path), (None, {})))
                extra = {"X-Telegram-Bot-Api-Secret-Token": SECRET} if slot.path == "/v1/bots/telegram" else {}
                where = f"{slot.method} {slot.path} {slot.where} {slot.name!r} with {kind}"
                try:
                    response = client.request(
                        slot.method, url + target, content=body,
                        headers={"content-type": "application/json", **extra} if body is not None else extra,
                    )  # fmt: skip
                except httpx.TransportError as error:
                    failures.append(f"{where}: the connection failed ({type(error).__name__}: {error})")
                    continue
                sent += 1
                problem = problem_with(response) or expect(slot, kind, response)
                if problem:
                    failures.append(f"{where}: {problem}")
        still_answers(client, url)
    assert sent >= len(slots) * len(BAD), failures[:5]
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(failures)


def multipart(field: str, filename: bytes, content: bytes) -> tuple[bytes, str]:
    """A multipart body built by hand, so a file name can hold any bytes (httpx would refuse some)."""
    boundary = "fuzz-boundary-7d1c"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="'.encode()
    body = head + filename + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + content
    return body + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def uploads(kind: str, value: str) -> Iterator[tuple[str, bytes, bytes, bool]]:
    """(what, file name, content, arrives as written) for one value as a file name and inside each kind of file.

    UTF-8 cannot hold a lone surrogate: written as UTF-8 anyway, its bytes are not UTF-8, and the file is read in
    the legacy encoding they fit (text, perhaps mojibake); in UTF-16 and in JSON escapes it arrives as written."""
    raw = value.encode("utf-8", "surrogatepass")
    utf8 = "surrogate" not in kind
    text = "# 메타버스 안내\n\n서울시는 플랫폼을 완성한다. "
    as_json = json.dumps  # \uXXXX escapes: every value arrives as written
    yield "file name", raw.replace(b'"', b"") + b".md", text.encode(), utf8
    yield "markdown text", b"fuzz-upload.md", text.encode() + raw, utf8
    yield "html text", b"fuzz-upload.html", b"<html><body><p>" + raw + b"</p></body></html>", utf8
    yield (
        "UTF-16 text",
        b"fuzz-upload.txt",
        "\ufeff제목\n".encode("utf-16-le") + value.encode("utf-16-le", "surrogatepass"),
        True,
    )
    for field in ("title", "text", "extra"):
        record = {"id": "fuzz-line", "title": "제목", "text": "본문 텍스트", field: value}
        yield f"JSONL {field}", b"fuzz-upload.jsonl", as_json(record).encode() + b"\n", True


def test_uploads_with_such_names_and_contents(served: tuple[str, dict[str, str]]) -> None:
    url, headers = served
    _, _, walker = slots_and_bases()
    routes = [
        (method, path, name)
        for method, path, operation in operations(walker.openapi)
        for content in [operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")]
        if content
        for name, prop in walker.resolve(content["schema"]).get("properties", {}).items()
        if walker.resolve(prop).get("format") == "binary" or walker.resolve(prop).get("contentMediaType")
    ]
    assert routes, "no upload route found in the schema"
    failures: list[str] = []
    with httpx.Client(timeout=120, headers=headers) as client:
        for method, path, field in routes:
            for kind, value in {**BAD, **GOOD}.items():
                for what, filename, content, exact in uploads(kind, value):
                    body, content_type = multipart(field, filename, content)
                    where = f"{method} {path} {what} with {kind}"
                    try:
                        response = client.request(
                            method, url + path, content=body, headers={"content-type": content_type}
                        )
                    except httpx.TransportError as error:
                        failures.append(f"{where}: the connection failed ({type(error).__name__}: {error})")
                        continue
                    problem = problem_with(response)
                    if problem is None and kind in BAD and exact and not 400 <= response.status_code < 500:
                        problem = f"expected a 4xx, got {response.status_code}: {response.text[:300]}"
                    if problem:
                        failures.append(f"{where}: {problem}")
        still_answers(client, url)
    assert not failures, f"{len(failures)} uploads failed:\n" + "\n".join(failures)


def test_with_keys_a_request_without_one_is_refused_before_its_text_is_read(
    served: tuple[str, dict[str, str]],
) -> None:
    url, headers = served
    if not headers:
        pytest.skip("the service has no keys")
    for body in (
        {"question": BAD["NUL"]},
        {"question": BAD["lone high surrogate"]},
        {"question": GOOD["mixed scripts"]},
    ):
        response = httpx.post(
            f"{url}/v1/answer", content=json.dumps(body), headers={"content-type": "application/json"}
        )
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized", response.text


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [(b"\xff\xfe", "'body' is not UTF-8: the byte 0xFF at position"), (b"\xed\xa0\x80", "lone surrogate U+D800")],
    ids=["not UTF-8", "a surrogate written as UTF-8 bytes"],
)
def test_a_json_body_whose_bytes_are_not_utf8_is_invalid_text(
    served: tuple[str, dict[str, str]], raw: bytes, fragment: str
) -> None:
    url, headers = served
    slots, _, _ = slots_and_bases()
    first = {(s.method, s.path): s for s in reversed(slots) if s.where == "body" and s.free and s.checked}
    assert len(first) >= 6
    for slot in first.values():
        target, body = request_for(slot, "FUZZ-MARK")
        assert body is not None
        extra = {"X-Telegram-Bot-Api-Secret-Token": SECRET} if slot.path == "/v1/bots/telegram" else {}
        response = httpx.request(
            slot.method, url + target, content=body.replace(b"FUZZ-MARK", raw),
            headers={**headers, **extra, "content-type": "application/json"}, timeout=60,
        )  # fmt: skip
        assert response.status_code == 422, (slot, response.text)
        error = response.json()["error"]
        assert error["code"] == "invalid_text" and fragment in error["message"], (slot, error)
