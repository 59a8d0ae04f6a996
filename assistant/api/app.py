"""``create_app``: the FastAPI service, built from settings or from the parts tests hand it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import AssistantError, InvalidTextError
from ..settings import Settings
from ..text.validation import PYDANTIC_ERROR, find_problem, format_path, text_error
from .deliveries import Deliveries
from .middleware import REQUEST_IDS, ServiceMiddleware
from .observability import Metrics
from .rate_limits import RateLimiter
from .routes import (
    answers,
    bots_kakao,
    bots_telegram,
    conversations,
    docs,
    documents,
    health,
    ollama_compat,
    openai_compat,
    web,
)
from .security import check_exposure, docs_open, key_checker
from .service import Services

if TYPE_CHECKING:
    from ..core import Assistant
    from ..indexing.live import LiveIndex

log = logging.getLogger("assistant.api")

DESCRIPTION = """Cited answers from your Korean and Chinese documents.

Every `/v1` and `/api` (Ollama-compatible) route needs `Authorization: Bearer KEY` or `X-API-Key: KEY` when
the service has keys configured. Reader keys (`ASSISTANT_API__API_KEYS`) ask, search and see their own
conversations; admin keys (`ASSISTANT_API__ADMIN_KEYS`, or `assistant keys create --role admin`) may also add
and delete documents.
A conversation belongs to the key that started it: other keys get 404. Every error is
`{"error": {"code", "message"}}`.
"""


def create_app(
    settings: Settings, assistant: Assistant | None = None, live: LiveIndex | None = None,
    on_ready: Callable[[], None] | None = None,
) -> FastAPI:  # fmt: skip
    """The HTTP service over an assistant; without one, the index and assistant the settings name are opened.
    A live index follows other processes' writes while the app runs; ``on_ready`` is called once it is up."""
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_exposure(settings.api, keys)
        warming: asyncio.Task[None] | None = None
        if getattr(app.state, "services", None) is None:
            app.state.services = _open_services(settings, metrics)
            # the analysers load while the server already answers: /livez at once, /readyz 503 until warm
            warming = asyncio.create_task(_warm_up(app.state.services, on_ready))
        elif on_ready is not None:
            on_ready()
        if app.state.services.live is not None:
            app.state.services.live.watch()  # swap in generations other processes write
        yield
        if warming is not None and not warming.done():
            warming.cancel()
        if app.state.services.live is not None:
            app.state.services.live.close()  # queued indexing jobs fail; a running one finishes
        await app.state.services.assistant.aclose()
        await _close_redis_clients(app, limiter)

    app = FastAPI(title="Korean/Chinese document assistant", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None)  # fmt: skip
    if assistant is not None:
        app.state.services = Services(settings, assistant, live, metrics)
    else:
        app.state.services = None
    for router in (
        answers.router,
        openai_compat.router,
        ollama_compat.router,
        documents.router,
        conversations.router,
        health.router,
        bots_kakao.router,
        bots_telegram.router,
        web.router,
        docs.router,
    ):
        app.include_router(router)
    _add_error_handlers(app)
    api = settings.api
    keys = key_checker(api)
    if api.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=api.cors_origins, allow_methods=["*"],
            allow_headers=["authorization", "x-api-key", "content-type"],
        )  # fmt: skip
    limiter = RateLimiter.from_settings(api, settings.redis)
    app.add_middleware(
        ServiceMiddleware, keys=keys, limiter=limiter,
        max_body=api.max_body_bytes, max_upload=api.max_upload_bytes, docs_open=docs_open(api),
        max_text_chars=api.max_text_chars,
    )  # fmt: skip
    metrics.instrument(app)  # outside ServiceMiddleware: its rejections are counted and logged
    app.add_middleware(CorrelationIdMiddleware, **REQUEST_IDS)  # outermost: every response, rejections too, has one
    return app


async def _close_redis_clients(app: FastAPI, limiter: RateLimiter) -> None:
    """Close the connections the app opened to Redis (rate limits, Telegram delivery ids), if any."""
    await limiter.aclose()
    seen: Deliveries | None = getattr(app.state, "telegram_deliveries", None)
    if seen is not None:
        await seen.aclose()


async def _warm_up(services: Services, on_ready: Callable[[], None] | None) -> None:
    """Load the analysers (kiwi, jieba, OpenCC) and index pages, then mark the service ready."""
    started = time.perf_counter()
    try:
        await services.assistant.warm_up()
    except Exception:
        log.exception("loading the analysers failed: /readyz stays 503 (warming)")
        return
    services.ready = True
    log.info("ready: analysers loaded in %.1f s", time.perf_counter() - started)
    if on_ready is not None:
        on_ready()


def _open_services(settings: Settings, metrics: Metrics) -> Services:
    from ..core import Assistant
    from ..indexing.live import LiveIndex

    live = LiveIndex(settings)
    assistant = Assistant.from_settings(settings, retriever=live.retriever)
    live.on_swap = lambda retriever: setattr(assistant, "retriever", retriever)
    return Services(settings, assistant, live, metrics, ready=False)


def _error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate quoted from a request
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, error: AssistantError) -> JSONResponse:
        status = error.status_code if 400 <= error.status_code < 600 else 500
        if status >= 500:
            log.error("request failed: %s: %s", error.code, error)
        return _error(status, error.code, str(error))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = error.errors()
        text = [item for item in problems if item.get("type") in _TEXT_ERRORS]
        if text:  # characters that are not text come first, in the words the core uses for them
            return _error(422, InvalidTextError.code, " ".join(dict.fromkeys(_text_message(item) for item in text)))
        return _error(422, "invalid_request", _validation_message(problems))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        cause = error.__cause__
        if isinstance(cause, UnicodeDecodeError):  # FastAPI's 400 for a body that is not UTF-8: invalid Unicode
            byte = cause.object[cause.start : cause.start + 1].hex().upper()
            return _error(422, InvalidTextError.code, text_error("body", f"is not UTF-8: the byte 0x{byte} at "
                          f"position {cause.start} starts no character; send JSON as UTF-8 text"))  # fmt: skip
        codes = {404: "not_found", 405: "method_not_allowed"}
        message = str(error.detail)
        if error.status_code == 404 and message == "Not Found":
            message = f"There is no route {request.url.path}. See /docs for the API."
        return _error(error.status_code, codes.get(error.status_code, "http_error"), message, error.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return _error(500, "internal_error", "Something went wrong on our side. The error has been logged.")


_TEXT_ERRORS = (PYDANTIC_ERROR, "string_unicode")
_SOURCES = ("body", "query", "path", "header", "cookie")


def _location(loc: Any) -> str:
    """A field's place as a client writes it: ``messages[2].content``, ``q``."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if not parts:
        return ""
    head = str(parts[0])
    return head + format_path(parts[1:])


def _text_message(item: Any) -> str:
    """A text problem found while validating the request, worded as ``check_text`` words it."""
    location = _location([*item.get("loc", ()), *item.get("ctx", {}).get("path", ())])
    if item.get("type") == PYDANTIC_ERROR:
        return text_error(location, item.get("msg", "is not text"))
    problem = find_problem(item["input"]) if isinstance(item.get("input"), str) else None  # pydantic's own refusal
    return text_error(location, problem.sentence() if problem else "is not valid Unicode; send the text as UTF-8")


def _validation_message(errors: Any) -> str:
    """One readable sentence per problem: where it is and what is wrong."""
    problems = []
    for item in errors:
        location = _location(item.get("loc", ())) or "body"
        message = item.get("msg", "is invalid")
        if item.get("type") == "json_invalid":
            problems.append(f"the body is not valid JSON ({item.get('ctx', {}).get('error', message)})")
        elif item.get("type") == "missing":
            problems.append(f"'{location}' is required")
        else:
            problems.append(f"'{location}': {message}")
    return "Fix the request: " + "; ".join(problems) + "."
