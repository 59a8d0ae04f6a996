"""The chat page in real headless Chromium (Debian's, driven by Playwright) against real servers on loopback.

Three servers: the demo index with the extractive composer (the default service), one whose model is scripted to
stream slowly or fail and whose retriever can be made to fail (stop, fallback and server errors), and one that
needs an API key. Screenshots of the main states go to test-output/screenshots/, or to the folder
ASSISTANT_SCREENSHOTS names (`make screenshots` refreshes the README's in docs/screenshots/).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pydantic import SecretStr

from assistant.api.app import create_app
from assistant.conversations.base import create_store
from assistant.core import Assistant
from assistant.errors import IndexNotFoundError, ModelUnavailableError
from assistant.indexing.builder import open_retriever
from assistant.models.base import ChatRequest, Chunk
from assistant.retrieval.retriever import Retriever, SearchOptions
from tests.api.live_server import live_server
from tests.api.test_api import settings_for
from tests.conftest import CORPUS, ROOT

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Dialog, Error, Locator, Page

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(os.environ.get("ASSISTANT_SCREENSHOTS") or ROOT / "test-output" / "screenshots")
KEY = "web-test-key"
KO_QUESTION = "가상융합산업 기본계획의 중점 방향은 몇 가지인가요?"
ZH_QUESTION = "首爾市的元宇宙平台預計哪一年完成？"
SLOW = "천천히 답해 주세요: 가상융합산업 진흥 기본계획 담당 부서 전화번호는?"
FAILING = "실패하는 모델: 가상융합산업 진흥 기본계획 담당 부서 전화번호는?"
BROKEN = "색인 고장: 메타버스 서울"
PHONE_QUESTION = "가상융합산업 진흥 기본계획 담당 부서 전화번호는?"
OFF_TOPIC = "내일 서울 날씨 어때요?"
ZH_OFF_TOPIC = "推薦一家台北好吃的牛肉麵店"
# Chromium logs every non-2xx response as a console error; tests that cause one on purpose allow it.
HTTP_ERROR = "Failed to load resource"


class ScriptedModel:
    """A ``ChatModel`` that streams slowly for SLOW, fails half-way for FAILING, and answers briefly otherwise."""

    id = "scripted"

    def __init__(self) -> None:
        self.cancelled = False

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        """Chunks chosen by the question; a request without passages (a follow-up rewrite) gets nothing."""
        if not request.passages:
            return
        if "천천히" in request.question:
            try:
                for i in range(60):
                    await asyncio.sleep(0.25)
                    yield Chunk(f"느린 답변 {i} [1] ")
            except asyncio.CancelledError:
                self.cancelled = True
                raise
        elif "실패" in request.question:
            yield Chunk("버려질 초안 문장 ")
            await asyncio.sleep(0.2)
            raise ModelUnavailableError("the scripted server went away")
        else:
            yield Chunk("메타버스 서울 [1]")

    async def aclose(self) -> None:
        """Nothing to release."""


class BreakableRetriever(Retriever):
    """The real retriever, except that queries mentioning 색인 find the index gone (a real 503 from the service)."""

    def search(self, query: str, options: SearchOptions | None = None) -> list[Any]:
        """Search, or fail like a service whose index folder was removed."""
        if "색인" in query:
            raise IndexNotFoundError("No index has been built in 'index/'. Build one with: assistant index build")
        return super().search(query, options)


@dataclass
class Servers:
    """Root URLs of the three servers, and the scripted model to check on."""

    main: str
    scripted: str
    guarded: str
    model: ScriptedModel


@pytest.fixture(scope="module")
def servers(demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The services over a private copy of the demo index (documents get added), conversations in tmp."""
    tmp = tmp_path_factory.mktemp("web")
    shutil.copytree(demo_index_dir, tmp / "index")
    shutil.copytree(CORPUS, tmp / "corpus")
    main = settings_for(tmp / "index", tmp / "corpus", tmp)
    (tmp / "scripted").mkdir()
    scripted_settings = settings_for(demo_index_dir, CORPUS, tmp / "scripted")
    # The words that steer the scripted model ("천천히 답해 주세요:", "실패하는 모델:") are none of the documents':
    # this service tests streaming, stopping and the fallback, so it answers without the answerability check.
    no_abstain = scripted_settings.answer.model_copy(update={"abstain": False})
    scripted_settings = scripted_settings.model_copy(update={"answer": no_abstain})
    plain = open_retriever(scripted_settings)
    model = ScriptedModel()
    assistant = Assistant(
        scripted_settings,
        BreakableRetriever(plain.store, plain.settings),
        model,
        create_store(scripted_settings.conversations),
    )
    (tmp / "guarded").mkdir()
    guarded = settings_for(demo_index_dir, CORPUS, tmp / "guarded", api_keys=[SecretStr(KEY)])
    with (
        live_server(create_app(main)) as main_url,
        live_server(create_app(scripted_settings, assistant=assistant)) as scripted_url,
        live_server(create_app(guarded)) as guarded_url,
    ):
        yield Servers(main_url, scripted_url, guarded_url, model)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; install it with: apt-get install -y chromium")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


OpenPage = Callable[..., "Page"]


@dataclass
class Tab:
    """A page and the console errors and uncaught exceptions it produced."""

    page: Page
    allow: tuple[str, ...] = ()
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """Opens the page in a fresh browser context; afterwards, no page may have logged an unexpected error."""
    tabs: list[Tab] = []

    def opener(
        url: str,
        *,
        locale: str = "ko-KR",
        width: int = 1280,
        height: int = 860,
        allow: tuple[str, ...] = (),
        touch: bool = False,
    ) -> Page:
        context = browser.new_context(
            locale=locale,
            viewport={"width": width, "height": height},
            permissions=["clipboard-read", "clipboard-write"],
            has_touch=touch,
            is_mobile=touch,
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        tab = Tab(page, allow)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                tab.errors.append(message.text)

        def on_page_error(error: Error) -> None:
            tab.errors.append(f"uncaught: {error}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        tabs.append(tab)
        page.goto(url + "/")
        return page

    yield opener
    unexpected = [error for tab in tabs for error in tab.errors if not any(ok in error for ok in tab.allow)]
    for tab in tabs:
        tab.page.context.close()
    assert not unexpected, f"JavaScript errors on the page: {unexpected}"


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


WATCH_STATES = """() => {
  window.seen = [];
  const box = document.getElementById("messages");
  new MutationObserver(() => {
    const bubbles = box.querySelectorAll(".bubble.assistant");
    const last = bubbles[bubbles.length - 1];
    if (!last) return;
    const text = last.querySelector(".answer-text").textContent;
    const entry = `${last.dataset.state}:${text ? "text" : "empty"}`;
    if (window.seen[window.seen.length - 1] !== entry) window.seen.push(entry);
  }).observe(box, { subtree: true, childList: true, attributes: true, characterData: true });
}"""


def ask(page: Page, question: str, until: str = "done") -> Locator:
    """Type the question, press Enter, and wait for the new answer to reach the state ``until``."""
    turns = page.locator(".turn").count()
    box = page.locator("#question")
    box.fill(question)
    box.press("Enter")
    answer = page.locator(".turn").nth(turns).locator(".bubble.assistant")
    if until:
        expect(answer).to_have_attribute("data-state", until)
    return answer


def conversation_id(page: Page) -> str:
    """The id of the conversation the sidebar marks as open."""
    current = page.locator(".conversation[aria-current=true]")
    expect(current).to_have_count(1)
    value = current.get_attribute("data-id")
    assert value
    return value


def test_a_korean_answer_streams_in_with_citation_chips_and_a_highlighted_source(
    servers: Servers, open_page: OpenPage
) -> None:
    page = open_page(servers.main)
    expect(page.locator("h1")).to_have_text("문서 도우미")
    page.evaluate(WATCH_STATES)
    answer = ask(page, KO_QUESTION)
    seen = page.evaluate("window.seen")
    assert seen[0] == "waiting:empty" and "streaming:text" in seen and seen[-1] == "done:text", seen
    expect(answer).to_have_attribute("lang", "ko")
    chips = answer.locator(".answer-text .chip")
    assert chips.count() >= 1
    cited = {chip.inner_text() for chip in chips.all()}  # a passage cited by two sentences is listed once
    expect(answer.locator(".sources .source-passage")).to_have_count(len(cited))
    documents = set(answer.locator(".sources li").evaluate_all("items => items.map(item => item.dataset.documentId)"))
    expect(answer.locator(".sources li")).to_have_count(len(documents))  # one entry per document
    shoot(page, "korean-answer.png")

    chips.first.click()
    dialog = page.locator("#citation-dialog")
    expect(dialog).to_be_visible()
    mark = dialog.locator("#citation-text mark")
    expect(mark).to_have_count(1)
    shoot(page, "citation-panel.png")
    stored = httpx.get(f"{servers.main}/v1/conversations/{conversation_id(page)}").json()["turns"][0]
    first = next(c for c in stored["citations"] if c["n"] == int(chips.first.inner_text()))
    span = first["text"][first["start"] - first["passage_start"] : first["end"] - first["passage_start"]]
    assert span and mark.inner_text() == span
    expect(dialog.locator("#citation-title")).to_have_text(first["title"])
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_a_traditional_chinese_answer_and_the_copy_button(servers: Servers, open_page: OpenPage) -> None:
    page = open_page(servers.main, locale="zh-TW")
    expect(page.locator("h1")).to_have_text("文件助理")
    answer = ask(page, ZH_QUESTION)
    expect(answer).to_have_attribute("lang", "zh-Hant")
    expect(answer.locator(".answer-text")).to_contain_text("元宇宙")
    assert answer.locator(".answer-text .chip").count() >= 1
    shoot(page, "chinese-answer.png")
    answer.get_by_role("button", name="複製答案").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(answer.locator(".answer-text").inner_text()[:10]) and "[1]" in copied


def test_a_follow_up_feedback_and_the_conversation_list_after_a_reload(servers: Servers, open_page: OpenPage) -> None:
    page = open_page(servers.main)
    ask(page, "메타버스 서울 기본계획의 추진 분야는 몇 개인가요?")
    second = ask(page, "그럼 추진 기간은?")
    assert second.locator(".chip").count() >= 1
    conversation = conversation_id(page)
    url = f"{servers.main}/v1/conversations/{conversation}"
    turns = httpx.get(url).json()["turns"]
    assert [t["question"] for t in turns] == ["메타버스 서울 기본계획의 추진 분야는 몇 개인가요?", "그럼 추진 기간은?"]

    up = second.get_by_role("button", name="도움이 됨")
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    assert httpx.get(url).json()["turns"][1]["feedback"] == 1
    down = second.get_by_role("button", name="도움이 안 됨")
    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    assert httpx.get(url).json()["turns"][1]["feedback"] == -1

    page.reload()
    expect(page.locator(".turn")).to_have_count(0)
    listed = page.locator(f'.conversation[data-id="{conversation}"]')
    expect(listed).to_contain_text("메타버스 서울 기본계획의 추진 분야는")
    listed.click()
    expect(page.locator(".turn")).to_have_count(2)
    expect(page.locator(".turn").nth(1).locator(".question")).to_have_text("그럼 추진 기간은?")
    reloaded = page.locator(".turn").nth(1).get_by_role("button", name="도움이 안 됨")
    expect(reloaded).to_have_attribute("aria-pressed", "true")
    third = ask(page, "참여 기업은 어디인가요?")  # the reopened conversation continues
    expect(third).to_have_attribute("data-state", "done")
    assert len(httpx.get(url).json()["turns"]) == 3
    page.get_by_role("button", name="새 대화").click()
    expect(page.locator(".turn")).to_have_count(0)
    expect(page.locator("#welcome")).to_be_visible()


def test_errors_are_explained_and_the_question_is_kept(servers: Servers, open_page: OpenPage) -> None:
    page = open_page(servers.scripted, allow=(HTTP_ERROR,))
    answer = ask(page, BROKEN, until="error")  # a real 503 from the service: its index is gone
    expect(answer.locator(".notice.error")).to_contain_text("No index has been built")
    expect(page.locator("#question")).to_have_value(BROKEN)
    shoot(page, "error.png")

    message = "Something went wrong on our side. The error has been logged."
    page.route(
        "**/v1/chat",
        lambda route: route.fulfill(
            status=500, content_type="application/json",
            body=json.dumps({"error": {"code": "internal_error", "message": message}}),
        ),
    )  # fmt: skip
    answer = ask(page, "두 번째 질문", until="error")
    expect(answer.locator(".notice.error")).to_contain_text(message)
    expect(page.locator("#question")).to_have_value("두 번째 질문")
    page.unroute("**/v1/chat")
    page.route("**/v1/chat", lambda route: route.abort("connectionrefused"))
    answer = ask(page, "세 번째 질문", until="error")
    expect(answer.locator(".notice.error")).to_contain_text("서버에 연결할 수 없습니다")


def test_the_stop_button_aborts_a_slow_answer(servers: Servers, open_page: OpenPage) -> None:
    page = open_page(servers.scripted)
    answer = ask(page, SLOW, until="")
    expect(answer.locator(".answer-text")).to_contain_text("느린 답변 1")
    expect(answer).to_have_attribute("data-state", "streaming")
    stop = page.get_by_role("button", name="중지")
    expect(stop).to_be_visible()
    shoot(page, "streaming.png")
    stop.click()
    expect(answer).to_have_attribute("data-state", "stopped")
    shoot(page, "stopped.png")
    expect(page.locator("#question")).to_have_value(SLOW)
    expect(page.get_by_role("button", name="보내기")).to_be_visible()
    partial = answer.locator(".answer-text").inner_text()
    time.sleep(0.6)
    assert answer.locator(".answer-text").inner_text() == partial and "느린 답변 59" not in partial
    deadline = time.monotonic() + 5
    while not servers.model.cancelled and time.monotonic() < deadline:
        time.sleep(0.05)
    assert servers.model.cancelled, "closing the stream should cancel the model call"


def test_a_failed_model_is_replaced_by_a_labelled_extractive_answer(servers: Servers, open_page: OpenPage) -> None:
    page = open_page(servers.scripted)
    answer = ask(page, FAILING)
    expect(answer.locator(".notice.fallback")).to_contain_text("언어 모델이 실패하여")
    expect(answer.locator(".answer-text")).not_to_contain_text("버려질 초안")
    expect(answer.locator(".answer-text .chip").first).to_be_visible()
    shoot(page, "fallback.png")


def test_a_question_without_relevant_passages_says_so(servers: Servers, open_page: OpenPage) -> None:
    page = open_page(servers.main)
    answer = ask(page, "오늘 저녁 메뉴 추천해 줘")
    # abstained (the text says so, related documents may follow) or no passages at all (a notice says so)
    expect(answer.locator(".answer-text, .notice.empty")).to_contain_text(["찾지 못했습니다"])
    expect(answer.locator(".chip")).to_have_count(0)
    expect(answer.locator(".sources")).to_have_count(0)


def hit_data(n: int, title: str, section: str, text: str, source: str = "") -> dict[str, Any]:
    """A hit as the API sends it (the ``citations`` event's hits and the done event's ``related``)."""
    return {"n": n, "passage_id": f"doc{n}#0", "document_id": f"doc{n}", "title": title, "section": section,
            "source": source, "language": "ko", "text": text, "start": 0, "end": len(text), "score": 0.4}  # fmt: skip


def sse_body(*events: tuple[str, dict[str, Any]]) -> str:
    return "".join(f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n" for name, data in events)


CONTACT = "디지털콘텐츠과의 문의 전화번호는 044-202-6352이다."
NOT_FOUND = "문서에서 답을 찾지 못했습니다. 질문과 가까운 문서를 아래에 모았습니다."


def scripted_answers(question: str) -> str:
    """The SSE stream of a hand-built answer: a short answer for the contact question, else an abstained one whose
    ``citations`` event and streamed text still number the retrieved passages (the done event must win)."""
    contact = hit_data(1, "가상융합산업 진흥 기본계획 문의처", "담당 부서", CONTACT, "https://newsdao.kr/4636")
    start: dict[str, Any] = {"conversation_id": None, "query": question}
    if question == PHONE_QUESTION:
        text = f"044-202-6352 — {CONTACT} [1]"
        citation = {**contact, "start": 0, "end": len(CONTACT), "supported": True, "passage_start": 0,
                    "passage_end": len(CONTACT)}  # fmt: skip
        done = {"answer": text, "short_answer": "044-202-6352", "abstained": False, "related": [],
                "citations": [citation], "grounded": True, "language": "ko"}  # fmt: skip
        return sse_body(("citations", {**start, "hits": [contact]}), ("delta", {"text": text}), ("done", done))
    related = [
        hit_data(1, "메타버스 서울 <b>추진</b> 일정", "주요 일정", "서울시는 2026년까지 메타버스 서울 플랫폼을 " * 8),
        hit_data(2, "서울시 메타버스 7대 분야", "", "경제, 교육, 관광 등 7대 분야에서 서비스를 제공한다."),
    ]
    done = {"answer": NOT_FOUND, "short_answer": None, "abstained": True, "related": related, "citations": [],
            "grounded": False, "language": "ko"}  # fmt: skip
    streamed = ("delta", {"text": "서울시는 2026년까지 완성한다. [1]"})
    return sse_body(("citations", {**start, "hits": related}), streamed, ("done", done))


def test_the_done_event_decides_the_short_answer_and_the_related_documents(
    servers: Servers, open_page: OpenPage
) -> None:
    page = open_page(servers.main)

    def fulfill(route: Any) -> None:
        question = json.loads(route.request.post_data or "{}")["question"]
        route.fulfill(status=200, content_type="text/event-stream", body=scripted_answers(question))

    page.route("**/v1/chat", fulfill)
    answer = ask(page, PHONE_QUESTION)
    expect(answer.locator(".short-answer-text")).to_have_text("044-202-6352")
    expect(answer.locator(".short-answer-label")).to_have_text("답")
    short_box, text_box = answer.locator(".short-answer").bounding_box(), answer.locator(".answer-text").bounding_box()
    assert short_box and text_box and short_box["y"] + short_box["height"] <= text_box["y"]
    expect(answer.locator(".answer-text .chip")).to_have_count(1)
    expect(answer.locator(".sources li")).to_have_count(1)
    expect(answer.locator(".related")).to_have_count(0)

    answer = ask(page, "아무 질문")
    expect(answer).to_have_attribute("data-abstained", "true")
    expect(answer.locator(".answer-text")).to_have_text(NOT_FOUND)
    expect(answer.locator(".chip")).to_have_count(0)
    expect(answer.locator(".sources")).to_have_count(0)
    expect(answer.locator(".short-answer, .notice")).to_have_count(0)
    related = answer.locator(".related")
    expect(related.locator("h3")).to_have_text("관련 문서")
    expect(related.locator("li")).to_have_count(2)
    expect(related.locator("li").first.locator(".related-title")).to_have_text("메타버스 서울 <b>추진</b> 일정")
    excerpt = related.locator(".related-excerpt").first.inner_text()
    assert excerpt.startswith("서울시는 2026년까지") and excerpt.endswith("…") and len(excerpt) <= 140
    assert page.locator("#messages b").count() == 0
    related.locator(".related-open").nth(1).click()
    dialog = page.locator("#citation-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_class(re.compile("related-passage"))
    expect(dialog.locator("#citation-number")).to_have_text("관련 문서")
    expect(dialog.locator("#citation-title")).to_have_text("서울시 메타버스 7대 분야")
    expect(dialog.locator("#citation-text mark")).to_have_count(0)
    page.keyboard.press("Escape")
    page.get_by_label("화면 언어").select_option("zh-Hant")
    expect(related.locator("h3")).to_have_text("相關文件")
    expect(page.locator(".short-answer-label")).to_have_text("答案")


MARKDOWN_ANSWER = (
    "**두 가지** 방향이 있습니다 [1]:\n\n"
    "1. 산업 *육성* [1]\n"
    "2. 규제 `개선` [2]\n\n"
    "- 문의: 044-202-6352\n\n"
    "| 분야 | 예산 |\n| --- | --- |\n| 교육 | **30억** |\n\n"
    "```\n<b>코드</b> [1]\n```\n"
    '원문에 <img src=x onerror="window.pwned=1"> 와 <script>window.pwned=2</script> 가 있다 [2].'
)


def test_markdown_in_answers_is_rendered_safely_and_sources_of_one_document_are_merged(
    servers: Servers, open_page: OpenPage
) -> None:
    page = open_page(servers.main)
    first = {**hit_data(1, "기본계획", "중점 방향", "산업 육성과 규제 개선을 추진한다."), "document_id": "plan"}
    second = {**hit_data(2, "기본계획", "규제", "규제를 개선한다."), "document_id": "plan", "passage_id": "plan#1"}
    citations = [
        {**hit, "supported": True, "passage_start": 0, "passage_end": len(hit["text"])} for hit in (first, second)
    ]
    done = {"answer": MARKDOWN_ANSWER, "short_answer": None, "abstained": False, "related": [],
            "citations": citations, "grounded": True, "language": "ko"}  # fmt: skip
    body = sse_body(("citations", {"conversation_id": None, "query": "q", "hits": [first, second]}),
                    ("delta", {"text": MARKDOWN_ANSWER}), ("done", done))  # fmt: skip
    page.route("**/v1/chat", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=body))
    answer = ask(page, "중점 방향은?")
    text = answer.locator(".answer-text")
    expect(text.locator("p strong").first).to_have_text("두 가지")
    expect(text.locator("ol > li")).to_have_count(2)
    expect(text.locator("ol > li").first.locator("em")).to_have_text("육성")
    expect(text.locator("ol > li").nth(1).locator("code")).to_have_text("개선")
    expect(text.locator("ol > li .chip")).to_have_count(2)
    expect(text.locator("ul > li")).to_have_text("문의: 044-202-6352")
    expect(text.locator("table th")).to_have_text(["분야", "예산"])
    expect(text.locator("table td strong")).to_have_text("30억")
    expect(text.locator("pre code")).to_have_text("<b>코드</b> [1]")  # code is shown as it is, no chip inside
    expect(text).to_contain_text('<img src=x onerror="window.pwned=1">')
    expect(text).to_contain_text("<script>window.pwned=2</script>")
    page.wait_for_timeout(200)
    assert page.locator("#messages img, #messages script, #messages b").count() == 0
    assert page.evaluate("window.pwned") is None
    text.locator("ol > li").nth(1).locator(".chip").click()
    expect(page.locator("#citation-dialog #citation-text")).to_have_text("규제를 개선한다.")
    page.keyboard.press("Escape")
    sources = answer.locator(".sources li")
    expect(sources).to_have_count(1)  # two passages of one document: one source entry listing both
    expect(sources.locator(".source-title")).to_have_text("기본계획")
    expect(sources.locator(".source-passage")).to_have_count(2)
    expect(sources.locator(".source-passage .source-section")).to_have_text(["중점 방향", "규제"])
    sources.locator(".source-passage").nth(1).click()
    expect(page.locator("#citation-number")).to_have_text("[2]")
    page.keyboard.press("Escape")
    shoot(page, "markdown-answer.png")


def test_the_empty_state_offers_questions_the_documents_answer(servers: Servers, open_page: OpenPage) -> None:
    page = open_page(servers.main)
    samples = page.locator("#samples .sample")
    expect(samples).to_have_count(3)
    expect(page.locator("#samples h3")).to_have_text("이런 질문을 해 보세요")
    offered = samples.all_inner_texts()
    assert all(question.endswith(("?", "？")) for question in offered)
    shoot(page, "empty-state.png")
    samples.nth(1).click()
    answer = page.locator(".turn").first.locator(".bubble.assistant")
    expect(answer).to_have_attribute("data-state", "done")
    expect(page.locator(".turn .question")).to_have_text(offered[1])
    expect(answer).to_have_attribute("data-abstained", "false")
    assert answer.locator(".answer-text .chip").count() >= 1
    expect(page.locator("#welcome")).to_be_hidden()


def test_a_short_answer_is_shown_first_for_an_answerable_korean_question(servers: Servers, open_page: OpenPage) -> None:
    """Needs the core's short answers: the contact question's phrase is the phone number."""
    page = open_page(servers.main)
    answer = ask(page, PHONE_QUESTION)
    expect(answer.locator(".short-answer-text")).to_contain_text("044-202-6352")
    short_box, text_box = answer.locator(".short-answer").bounding_box(), answer.locator(".answer-text").bounding_box()
    assert short_box and text_box and short_box["y"] + short_box["height"] <= text_box["y"]
    assert answer.locator(".answer-text .chip").count() >= 1
    expect(answer.locator(".related")).to_have_count(0)
    shoot(page, "short-answer.png")


def test_an_off_topic_question_shows_related_documents_and_no_citations(servers: Servers, open_page: OpenPage) -> None:
    """Needs the core's abstention: off-topic questions come back abstained, with related passages."""
    page = open_page(servers.main)
    answer = ask(page, OFF_TOPIC)
    expect(answer).to_have_attribute("data-abstained", "true")
    expect(answer.locator(".answer-text")).to_contain_text("찾지 못했습니다")
    expect(answer.locator(".chip")).to_have_count(0)
    expect(answer.locator(".sources")).to_have_count(0)
    expect(answer.locator(".related h3")).to_have_text("관련 문서")
    assert answer.locator(".related li").count() >= 1
    shoot(page, "abstained.png")
    answer.locator(".related-open").first.click()
    expect(page.locator("#citation-dialog")).to_be_visible()
    expect(page.locator("#citation-number")).to_have_text("관련 문서")
    shoot(page, "related-passage.png")
    page.keyboard.press("Escape")


def test_an_off_topic_traditional_question_is_declined_in_traditional_chinese(
    servers: Servers, open_page: OpenPage
) -> None:
    """Needs the core's abstention, in the question's script (薦 and 麵 make this question Traditional)."""
    page = open_page(servers.main, locale="zh-TW")
    answer = ask(page, ZH_OFF_TOPIC)
    expect(answer).to_have_attribute("data-abstained", "true")
    expect(answer.locator(".related h3")).to_have_text("相關文件")
    expect(answer.locator(".chip")).to_have_count(0)
    expect(answer).to_have_attribute("lang", "zh-Hant")
    expect(answer.locator(".answer-text")).to_contain_text(re.compile("文件中(沒有|找不到)"))


def test_the_page_asks_once_for_an_api_key_and_remembers_it(servers: Servers, open_page: OpenPage) -> None:
    page = open_page(servers.guarded, allow=(HTTP_ERROR,))
    dialog = page.locator("#key-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#key-error")).to_be_hidden()
    page.get_by_label("API 키", exact=True).fill("wrong-key")
    page.get_by_role("button", name="저장").click()
    expect(page.locator("#key-error")).to_be_visible()  # refused: asked again, saying why
    shoot(page, "key-dialog.png")
    page.get_by_label("API 키", exact=True).fill(KEY)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#conversation-empty")).to_have_text("아직 대화가 없습니다.")
    ask(page, KO_QUESTION)
    assert page.evaluate("localStorage.getItem('assistant.apiKey')") == KEY
    page.reload()
    expect(page.locator(".conversation")).to_have_count(1)
    expect(dialog).to_be_hidden()


def test_markup_in_a_passage_shows_as_text(servers: Servers, open_page: OpenPage) -> None:
    document = {
        "id": "markup-test",
        "title": "보안 점검 <b>메모</b>",
        "text": "코드명 파란고래 문서에는 <script>alert(1)</script> 라는 문자열과 "
        "<img src=x onerror=alert(2)> 태그가 들어 있다. 이 문자열은 화면에 글자로만 보여야 한다.",
    }
    assert httpx.post(f"{servers.main}/v1/documents/text", json=document, timeout=60).status_code == 201
    try:
        page = open_page(servers.main)
        dialogs: list[str] = []

        def on_dialog(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        answer = ask(page, "코드명 파란고래 문서에는 어떤 문자열이 들어 있나요?")
        expect(answer.locator(".answer-text")).to_contain_text("<script>alert(1)</script>")
        answer.locator(".chip").first.click()
        expect(page.locator("#citation-text")).to_contain_text("<img src=x onerror=alert(2)>")
        expect(page.locator("#citation-title")).to_have_text("보안 점검 <b>메모</b>")
        page.wait_for_timeout(200)
        assert page.locator("#messages script, #messages img, #citation-dialog img, #citation-dialog b").count() == 0
        assert not dialogs
    finally:
        httpx.delete(f"{servers.main}/v1/documents/markup-test", timeout=60)


def test_phone_width_layout(servers: Servers, open_page: OpenPage) -> None:
    page = open_page(servers.main, width=375, height=740)
    ask(page, KO_QUESTION)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(page.locator("#sidebar")).to_be_hidden()
    shoot(page, "phone.png")
    toggle = page.get_by_role("button", name="대화 목록 보이기/숨기기")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".conversation")).to_have_count(1)
    page.wait_for_timeout(300)  # the slide-in
    shoot(page, "phone-sidebar.png")


def test_the_keyboard_hint_is_shown_only_where_a_keyboard_is_likely(servers: Servers, open_page: OpenPage) -> None:
    desktop = open_page(servers.main)
    expect(desktop.locator("textarea")).to_have_attribute("placeholder", re.compile("Enter"))
    phone = open_page(servers.main, width=375, height=740, touch=True)
    assert phone.evaluate("matchMedia('(hover: none) and (pointer: coarse)').matches")
    expect(phone.locator("textarea")).to_have_attribute("placeholder", "문서에 대해 질문하세요")


def test_interface_language_follows_the_browser_and_can_be_switched(servers: Servers, open_page: OpenPage) -> None:
    page = open_page(servers.main, locale="en-US")
    expect(page.locator("h1")).to_have_text("Document assistant")
    page.get_by_label("Interface language").select_option("zh-Hans")
    expect(page.locator("h1")).to_have_text("文档助理")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.reload()
    expect(page.locator("h1")).to_have_text("文档助理")
    expect(page.locator("#question")).to_have_attribute("placeholder", "询问文档内容（Enter 发送，Shift+Enter 换行）")


def test_shift_enter_adds_a_line_and_the_page_needs_no_key(servers: Servers, open_page: OpenPage) -> None:
    page = open_page(servers.main)
    box = page.locator("#question")
    box.press_sequentially("첫 줄")
    box.press("Shift+Enter")
    box.press_sequentially("둘째 줄")
    expect(box).to_have_value("첫 줄\n둘째 줄")
    expect(page.locator(".turn")).to_have_count(0)
    assert httpx.get(servers.guarded + "/").status_code == 200
    assert httpx.get(servers.guarded + "/static/app.js").status_code == 200
    assert httpx.get(servers.guarded + "/static/..%2Fapp.py").status_code == 404


def test_the_event_parser_handles_split_events_pings_and_crlf(servers: Servers, open_page: OpenPage) -> None:
    stream = ': ping\n\nevent: delta\ndata: {"text": "메타버스"}\n\n: ping\r\n\r\nevent: done\r\ndata: {"a": 1}\r\n\r\n'
    raw = stream.encode()
    # Cut inside a field name, inside a Hangul syllable's UTF-8 bytes, between "\r" and "\n", and before the end.
    cuts = [raw.index(b"event") + 2, raw.index("메".encode()) + 1, raw.index(b"done\r\n") + 5, len(raw) - 1]
    page = open_page(servers.main)
    events = page.evaluate(
        """async ([text, cuts]) => {
          const { readEvents } = await import("./static/sse.js");
          const bytes = new TextEncoder().encode(text);
          const body = new ReadableStream({
            start(controller) {
              let last = 0;
              for (const cut of cuts) {
                controller.enqueue(bytes.slice(last, cut));
                last = cut;
              }
              controller.enqueue(bytes.slice(last));
              controller.close();
            },
          });
          const seen = [];
          for await (const event of readEvents(body)) seen.push(event);
          return seen;
        }""",
        [stream, cuts],
    )
    assert events == [{"event": "delta", "data": {"text": "메타버스"}}, {"event": "done", "data": {"a": 1}}]
