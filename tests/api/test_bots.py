"""The Kakao and Telegram bots end to end: the app served by uvicorn over the demo index, with a loopback
server standing in for Telegram's Bot API (and for a Kakao callback URL that must receive nothing: delivery to an
allowed callback is in test_outbound.py); plus the shared reply helpers."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from pydantic import SecretStr

from assistant.access_keys import key_digest
from assistant.api.app import create_app
from assistant.api.bot_replies import RecentRequests, fit_text, render_reply, split_text
from assistant.api.routes.bots_kakao import LATE_TEXT, TEXT_LIMIT, skill_response
from assistant.core import Assistant
from assistant.records import Answer, Citation, Language, Passage
from assistant.settings import ApiSettings, ConversationSettings, Settings
from tests.api.bot_servers import BotServer
from tests.api.live_server import live_server
from tests.api.test_bot_replies import NEWS, NOT_FOUND, abstained, related_hit, with_short_answer
from tests.conftest import CORPUS

API_KEY = "kakao-test-key"
SERVED: dict[str, Any] = {}  # root URL -> the app served there
SECRET = "telegram-secret_1"
TOKEN = "123456:TEST-token_abc"
QUESTION = "서울시 메타버스 플랫폼은 언제 완성되나요?"
MARKER = re.compile(r"\[\d+\]")
PHONE_QUESTION = "가상융합산업 진흥 기본계획 담당 부서 전화번호는?"
OFF_TOPIC = "내일 서울 날씨 어때요?"


def make_settings(index_dir: Path, api: ApiSettings) -> Settings:
    return Settings(
        corpus_dir=CORPUS,
        index_dir=index_dir,
        conversations=ConversationSettings(backend="memory"),
        api=api,
    )


@pytest.fixture(scope="module")
def stand_in() -> Iterator[BotServer]:
    with BotServer() as server:
        yield server


@pytest.fixture(scope="module")
def api(demo_index_dir: Path, stand_in: BotServer) -> Iterator[str]:
    """The service with API keys, both bots configured, and a deadline every demo answer makes."""
    bots = ApiSettings(
        api_keys=[SecretStr(API_KEY)], rate_limit=0, kakao_deadline=5.0, telegram_secret=SecretStr(SECRET),
        telegram_token=SecretStr(TOKEN), telegram_api_base=stand_in.url,
    )  # fmt: skip
    settings = make_settings(demo_index_dir, bots)
    app = create_app(settings)
    with live_server(app) as url:
        SERVED[url] = app
        yield url


@pytest.fixture(scope="module")
def slow_api(demo_index_dir: Path) -> Iterator[str]:
    """The service with a Kakao deadline no answer makes, and no Telegram secret."""
    settings = make_settings(demo_index_dir, ApiSettings(rate_limit=0, kakao_deadline=0.001))
    with live_server(create_app(settings)) as url:
        yield url


class CannedAssistant(Assistant):
    """The real assistant, except that two questions get hand-built answers (an abstained one, a short answer)."""

    canned: ClassVar[dict[str, Answer]] = {
        OFF_TOPIC: abstained([related_hit(1, NEWS, section="개요")]),
        PHONE_QUESTION: with_short_answer(),
    }

    async def answer(self, question: str, conversation_id: str | None = None, **options: Any) -> Answer:
        """The canned answer, or the real one."""
        found = self.canned.get(question)
        return found if found is not None else await super().answer(question, conversation_id, **options)


@pytest.fixture(scope="module")
def canned_api(demo_index_dir: Path, stand_in: BotServer) -> Iterator[str]:
    """The bots over the canned assistant: what the routes make of the new answer fields, whatever the core does."""
    bots = ApiSettings(rate_limit=0, telegram_secret=SecretStr(SECRET), telegram_token=SecretStr(TOKEN),
                       telegram_api_base=stand_in.url)  # fmt: skip
    settings = make_settings(demo_index_dir, bots)
    with live_server(create_app(settings, assistant=CannedAssistant.from_settings(settings))) as url:
        yield url


def kakao(url: str, utterance: str | None, user: str, callback: str | None = None, key: str | None = API_KEY) -> Any:
    said: dict[str, Any] = {"user": {"id": user, "type": "botUserKey"}, "timezone": "Asia/Seoul", "lang": "ko"}
    if utterance is not None:
        said["utterance"] = utterance
    if callback is not None:
        said["callbackUrl"] = callback
    body = {"bot": {"id": "bot"}, "intent": {"id": "b", "name": "폴백"}, "action": {"id": "a"}, "userRequest": said}
    headers = {"X-API-Key": key} if key else {}
    return httpx.post(f"{url}/v1/bots/kakao", json=body, headers=headers, timeout=15)


def telegram(url: str, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return httpx.post(f"{url}/v1/bots/telegram", json=update, headers=headers, timeout=15)


def text_update(update_id: int, chat: int, text: str | None, message_id: int = 7) -> dict[str, Any]:
    message: dict[str, Any] = {"message_id": message_id, "date": 0, "chat": {"id": chat, "type": "private"}}
    if text is not None:
        message["text"] = text
    return {"update_id": update_id, "message": message}


def turns(url: str, conversation: str) -> list[dict[str, Any]]:
    """A bot conversation's turns, read from the served app's store (no API key owns a bot user's conversation)."""
    if conversation.startswith("kakao:"):  # one per key and Kakao user
        conversation = f"kakao:key:{key_digest(API_KEY)[:12]}:{conversation.removeprefix('kakao:')}"
    store = SERVED[url].state.services.assistant.store
    return [turn.to_dict() for turn in store.turns(conversation)]


def sent_to(stand_in: BotServer, chat: int) -> list[dict[str, Any]]:
    return [d.body for d in stand_in.at(f"/bot{TOKEN}/sendMessage") if d.body["chat_id"] == chat]


# Kakao


def test_kakao_answers_with_a_skill_response_and_its_sources(api: str) -> None:
    response = kakao(api, QUESTION, "user-1")
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["version"] == "2.0"
    outputs = reply["template"]["outputs"]
    text = outputs[0]["simpleText"]["text"]
    assert 0 < len(text) <= TEXT_LIMIT and "[1]" in text
    answer, _, sources = text.partition("\n\n")
    assert answer and sources.startswith("[1] ")
    buttons = outputs[1]["textCard"]["buttons"]
    assert 1 <= len(buttons) <= 3 and len(outputs) <= 3
    for button in buttons:
        assert button["action"] == "webLink" and button["webLinkUrl"].startswith("https://")
        assert 0 < len(button["label"]) <= 14
    assert len({b["webLinkUrl"] for b in buttons}) == len(buttons)


def test_kakao_goes_through_the_api_key_check(api: str) -> None:
    response = kakao(api, QUESTION, "user-2", key=None)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_kakao_without_an_utterance_is_a_422_in_our_error_shape(api: str) -> None:
    missing = kakao(api, None, "user-3")
    assert missing.status_code == 422
    error = missing.json()["error"]
    assert error["code"] == "invalid_request" and "userRequest.utterance" in error["message"]
    blank = kakao(api, "   ", "user-3")
    assert blank.status_code == 422 and blank.json()["error"]["code"] == "invalid_query"


def test_each_kakao_user_has_one_conversation_so_follow_ups_work(api: str) -> None:
    assert kakao(api, QUESTION, "user-4").status_code == 200
    assert kakao(api, "그럼 예산은?", "user-4").status_code == 200
    asked = turns(api, "kakao:user-4")
    assert [t["question"] for t in asked] == [QUESTION, "그럼 예산은?"]
    assert asked[1]["query"] != "그럼 예산은?"  # rewritten from the first turn: it is a follow-up
    assert kakao(api, "그럼 예산은?", "user-5").status_code == 200
    assert len(turns(api, "kakao:user-5")) == 1  # another user, another conversation


def test_a_bot_users_conversation_is_not_readable_with_the_bots_key(api: str) -> None:
    assert kakao(api, QUESTION, "user-9").status_code == 200
    assert len(turns(api, "kakao:user-9")) == 1
    for conversation in ("kakao:user-9", f"kakao:key:{key_digest(API_KEY)[:12]}:user-9"):
        stolen = httpx.get(f"{api}/v1/conversations/{conversation}", headers={"X-API-Key": API_KEY})
        assert stolen.status_code == 404, stolen.text
        continued = httpx.post(
            f"{api}/v1/answer", json={"question": "그럼 예산은?", "conversation_id": conversation},
            headers={"X-API-Key": API_KEY}, timeout=15,
        )  # fmt: skip
        assert continued.status_code == 404, continued.text
    assert len(turns(api, "kakao:user-9")) == 1


def test_the_same_kakao_question_sent_twice_is_answered_once(api: str) -> None:
    first = kakao(api, QUESTION, "user-6").json()
    again = kakao(api, QUESTION, "user-6").json()
    assert first == again
    assert len(turns(api, "kakao:user-6")) == 1
    with ThreadPoolExecutor(3) as pool:  # at the same time: all wait for the one answer
        replies = list(pool.map(lambda _: kakao(api, "그럼 예산은?", "user-6").json(), range(3)))
    assert replies[0] == replies[1] == replies[2] and "simpleText" in replies[0]["template"]["outputs"][0]
    assert len(turns(api, "kakao:user-6")) == 2


def test_a_slow_kakao_answer_is_never_posted_to_a_loopback_callback_url(slow_api: str, stand_in: BotServer) -> None:
    # Default settings: callbacks go to https://bot-api.kakao.com only. Delivery to an allowed callback, and the
    # other refusals (addresses, redirects), are tested in test_outbound.py.
    port = stand_in.url.rsplit(":", 1)[1]
    callbacks = [f"{stand_in.url}/kakao/callback/task-1", f"http://localhost:{port}/kakao/callback/task-1",
                 f"https://127.0.0.1:{port}/kakao/callback/task-1"]  # fmt: skip
    replies = [kakao(slow_api, QUESTION, f"user-7-{n}", callback=callback) for n, callback in enumerate(callbacks)]
    time.sleep(0.5)  # time enough for a background delivery, were one started
    assert stand_in.at("/kakao/callback") == []
    for reply in replies:  # the user is asked to send the question again, as without a callback URL
        assert reply.status_code == 200
        assert reply.json()["template"]["outputs"] == [{"simpleText": {"text": LATE_TEXT}}]


def test_a_slow_kakao_answer_without_a_callback_url_gets_a_short_apology(slow_api: str) -> None:
    response = kakao(slow_api, QUESTION, "user-8")
    assert response.status_code == 200
    assert response.json()["template"]["outputs"] == [{"simpleText": {"text": LATE_TEXT}}]


# Telegram


def test_telegram_refuses_a_wrong_or_missing_secret(api: str, stand_in: BotServer) -> None:
    for secret in ("wrong", None):
        response = telegram(api, text_update(1, 500, QUESTION), secret=secret)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert "X-Telegram-Bot-Api-Secret-Token" in response.json()["error"]["message"]
    assert not sent_to(stand_in, 500)


def test_telegram_is_refused_until_a_secret_is_configured(slow_api: str) -> None:
    response = telegram(slow_api, text_update(1, 501, QUESTION))
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_enabled" and "ASSISTANT_API__TELEGRAM_SECRET" in error["message"]


def test_telegram_answers_in_the_chat_without_our_api_key(
    api: str, stand_in: BotServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = telegram(api, text_update(10, 502, QUESTION, message_id=33))
    assert response.status_code == 200 and response.json() == {"ok": True}
    (message,) = wait_for_chat(stand_in, 502)
    assert message["reply_to_message_id"] == 33
    assert "[1]" in message["text"] and "\n\n[1] " in message["text"] and " — https://" in message["text"]
    assert len(turns(api, "telegram:502")) == 1
    deadline = time.monotonic() + 5
    while not any("sendMessage" in r.getMessage() for r in caplog.records) and time.monotonic() < deadline:
        time.sleep(0.02)  # httpx logs the call once it has read Telegram's reply
    logged = [r.getMessage() for r in caplog.records]
    assert any("/bot<token>/sendMessage" in line for line in logged)
    assert not any(TOKEN in line for line in logged)


def test_a_redelivered_telegram_update_is_answered_once(api: str, stand_in: BotServer) -> None:
    assert telegram(api, text_update(20, 503, QUESTION)).json() == {"ok": True}
    assert telegram(api, text_update(20, 503, QUESTION)).json() == {"ok": True, "ignored": "duplicate"}
    assert telegram(api, text_update(21, 504, "/start")).json() == {"ok": True}
    wait_for_chat(stand_in, 504)  # answered after the duplicate would have been
    wait_for_chat(stand_in, 503)
    assert len(sent_to(stand_in, 503)) == 1
    assert len(turns(api, "telegram:503")) == 1


def test_telegram_updates_without_text_are_ignored(api: str, stand_in: BotServer) -> None:
    sticker = text_update(30, 505, None)
    sticker["message"]["sticker"] = {"file_id": "x"}
    edit = {"update_id": 31, "edited_message": text_update(0, 505, QUESTION)["message"]}
    for update in (sticker, edit):
        response = telegram(api, update)
        assert response.status_code == 200 and response.json() == {"ok": True, "ignored": "no text"}
    assert telegram(api, text_update(32, 506, "/help")).json() == {"ok": True}
    (help_message,) = wait_for_chat(stand_in, 506)
    assert "문서" in help_message["text"]
    assert not sent_to(stand_in, 505)


# Short answers and abstained answers


def test_the_bots_show_related_documents_and_short_answers_from_the_answer(
    canned_api: str, stand_in: BotServer
) -> None:
    outputs = kakao(canned_api, OFF_TOPIC, "user-20").json()["template"]["outputs"]
    assert outputs[0]["simpleText"]["text"] == f"{NOT_FOUND}\n\n관련 문서\n• 관련 문서 1번 · 개요"
    assert outputs[1]["textCard"]["title"] == "관련 문서"
    assert outputs[1]["textCard"]["buttons"][0]["webLinkUrl"] == NEWS
    assert telegram(canned_api, text_update(40, 520, PHONE_QUESTION)).json() == {"ok": True}
    (message,) = wait_for_chat(stand_in, 520)
    first, second = message["text"].split("\n")[:2]
    assert first == "→ 044-202-6352" and second.startswith("044-202-6352 — ") and "[1] " in message["text"]


def test_an_off_topic_kakao_question_gets_related_documents_not_citations(api: str) -> None:
    """Needs the core's abstention: "내일 서울 날씨 어때요?" comes back abstained with related passages."""
    text = kakao(api, OFF_TOPIC, "user-21").json()["template"]["outputs"][0]["simpleText"]["text"]
    said, _, related = text.partition("\n\n관련 문서\n• ")
    assert "찾지 못했습니다" in said and related
    assert not MARKER.search(text) and len(text) <= TEXT_LIMIT


def test_a_telegram_answer_starts_with_its_short_answer(api: str, stand_in: BotServer) -> None:
    """Needs the core's short answers: the contact question's phrase is the phone number."""
    assert telegram(api, text_update(41, 521, PHONE_QUESTION)).json() == {"ok": True}
    (message,) = wait_for_chat(stand_in, 521)
    first = message["text"].split("\n")[0]
    assert first.startswith("→ ") and "044-202-6352" in first and "[1]" in message["text"]


def wait_for_chat(stand_in: BotServer, chat: int, timeout: float = 15.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while not sent_to(stand_in, chat) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sent_to(stand_in, chat), f"nothing was sent to chat {chat}"
    return sent_to(stand_in, chat)


# Reply helpers


def passage(n: int, url: str) -> Passage:
    return Passage(f"p{n}", f"doc{n}", f"문서 제목 {n}번", "", url, Language.KOREAN, "본문", 0, 2)


def long_answer(urls: list[str]) -> Answer:
    sentence = "서울시는 메타버스 플랫폼을 단계적으로 완성할 계획이며 공공서비스를 차례로 옮긴다."
    text = " ".join(f"{sentence} [{i % len(urls) + 1}]" for i in range(60))
    citations = tuple(Citation(n, passage(n, url), 0, 2, 1.0) for n, url in enumerate(urls, start=1))
    return Answer(text, citations, (), "extractive", True, Language.KOREAN)


def test_a_long_kakao_answer_is_trimmed_at_a_sentence_keeping_markers_and_sources() -> None:
    urls = [f"https://example.org/{n}" for n in range(1, 5)] + ["https://example.org/1"]
    reply = skill_response(long_answer(urls))
    text = reply["template"]["outputs"][0]["simpleText"]["text"]
    assert len(text) <= TEXT_LIMIT
    body, _, sources = text.partition("\n\n")
    assert body.endswith("[1]…") or body.endswith("]…")
    assert not re.search(r"\[\d*$", body.removesuffix("…")) and not re.search(r"\[(?!\d+\])", body)
    assert sources.splitlines()[0] == "[1] 문서 제목 1번"  # its link is a button
    assert "[4] 문서 제목 4번 — https://example.org/4" in sources  # no button left for it: the URL is in the text
    buttons = reply["template"]["outputs"][1]["textCard"]["buttons"]
    assert [b["webLinkUrl"] for b in buttons] == [f"https://example.org/{n}" for n in (1, 2, 3)]
    assert all(len(b["label"]) <= 14 for b in buttons)


def test_render_reply_keeps_short_answers_whole() -> None:
    answer = long_answer(["https://example.org/1"])
    short = "짧은 답이다. [1]"
    assert (
        render_reply(short, answer.citations, 1000) == "짧은 답이다. [1]\n\n[1] 문서 제목 1번 — https://example.org/1"
    )


def test_fit_text_never_cuts_inside_a_marker() -> None:
    text = "가" * 20 + " [12] " + "나" * 20
    for limit in range(5, 30):
        fitted = fit_text(text, limit)
        assert len(fitted) <= limit and not re.search(r"\[\d*…", fitted)
        assert "[12]" in fitted or "[" not in fitted


def test_split_text_breaks_long_answers_at_lines_and_sentences() -> None:
    paragraph = "서울시는 2026년까지 메타버스 서울 플랫폼을 완성한다. [1] 首尔市将在2026年前完成平台。[2] "
    text = "\n\n".join(paragraph * 12 for _ in range(8)) + "\n\n" + "\n".join(f"[{n}] 출처 {n}" for n in range(1, 6))
    chunks = split_text(text, 4096)
    assert len(chunks) > 1 and all(0 < len(c) <= 4096 for c in chunks)
    assert "".join(chunks).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert all(not MARKER.sub("", c).count("[") for c in chunks)  # no marker split across messages
    small = split_text(paragraph * 3, 100)
    assert all(len(c) <= 100 for c in small)
    assert all(c.endswith(("]", "。", ".")) for c in small[:-1])
    assert split_text("가" * 250, 100) == ["가" * 100, "가" * 100, "가" * 50]
    assert split_text("짧다", 4096) == ["짧다"]


def test_recent_requests_remember_keys_for_their_window_only() -> None:
    now = [0.0]
    recent: RecentRequests[bool] = RecentRequests(30.0, clock=lambda: now[0])
    assert recent.add("telegram:1") and not recent.add("telegram:1")
    now[0] = 29.0
    assert not recent.add("telegram:1") and recent.add("telegram:2")
    now[0] = 31.0
    assert recent.add("telegram:1") and len(recent) == 2
    value, fresh = recent.get_or_add("telegram:1", lambda: False)
    assert value is True and not fresh


def test_recent_requests_let_one_of_many_threads_through() -> None:
    recent: RecentRequests[bool] = RecentRequests(60.0)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(recent.add("same"))) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 15 + [True]
