"""/docs and /redoc in real headless Chromium (Debian's, driven by Playwright) with every request off the test
server's origin blocked: both render from the files the service serves itself, and nothing leaves the origin."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from assistant.api.app import create_app
from assistant.api.routes.docs import ASSETS, STATIC
from tests.api.live_server import live_server
from tests.api.test_api import settings_for
from tests.conftest import CORPUS

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Route

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def served(demo_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over the demo index, on loopback (docs open, as on a developer's machine)."""
    with live_server(create_app(settings_for(demo_index_dir, CORPUS, tmp_path_factory.mktemp("docs")))) as url:
        yield url


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


@dataclass
class Offline:
    """A page whose requests off the origin are aborted and recorded, with the requests it made and its errors."""

    page: Page
    served: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def offline(browser: Browser, served: str) -> Iterator[Offline]:
    """A fresh context with no way off the test server; afterwards, nothing may have tried to leave it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    tab = Offline(context.new_page())

    def route(route: Route) -> None:
        url = route.request.url
        if url == served or url.startswith(served + "/"):
            tab.served.append(url.removeprefix(served))
            route.continue_()
        else:
            tab.blocked.append(url)
            route.abort("internetdisconnected")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.errors.append(message.text)

    context.route("**/*", route)
    tab.page.on("console", on_console)
    tab.page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
    yield tab
    context.close()
    assert not tab.blocked, f"requests left the origin: {tab.blocked}"
    assert not tab.errors, f"JavaScript errors on the page: {tab.errors}"


def test_swagger_ui_lists_the_operations_without_internet(served: str, offline: Offline) -> None:
    page = offline.page
    page.goto(served + "/docs")
    answer = page.locator('.opblock-summary-path[data-path="/v1/answer"]')
    expect(answer).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Korean/Chinese document assistant")
    answer.click()  # the operation opens: the schema came from /openapi.json and Swagger UI's own code runs
    expect(page.locator(".opblock.is-open .opblock-section-header").first).to_be_visible()
    assert {"/docs", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/openapi.json"} <= set(offline.served)


def test_redoc_renders_the_reference_without_internet(served: str, offline: Offline) -> None:
    page = offline.page
    page.goto(served + "/redoc")
    expect(page.locator("h1").first).to_contain_text("Korean/Chinese document assistant")
    expect(page.get_by_role("menuitem", name="answers")).to_be_visible()
    operation = page.get_by_role("heading", name="Answer a question with citations (for bots and apps)", level=2)
    expect(operation).to_be_visible()
    expect(page.get_by_text("/v1/answer", exact=True).first).to_be_attached()
    expect(page.locator("img[alt='redocly logo']")).to_be_visible()  # its logo, too, comes from the service
    assert {"/redoc", "/redoc/redoc.standalone.js", "/openapi.json", "/redoc/logo-mini.svg"} <= set(offline.served)


def test_every_asset_is_served_and_no_other_name_is(served: str) -> None:
    for page, names in ASSETS.items():
        for name, file in names.items():
            response = httpx.get(f"{served}/{page}/{name}")
            assert response.status_code == 200 and response.content == (STATIC / file).read_bytes()
    for path in ("/docs/LICENSE", "/redoc/swagger-ui.css", "/docs/..%2Fpyproject.toml", "/docs/oauth2-redirect"):
        response = httpx.get(served + path)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found", path
    for path in ("/docs", "/redoc"):
        assert "cdn." not in httpx.get(served + path).text
