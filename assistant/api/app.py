"""``create_app``: the FastAPI service, built from settings or from the parts tests hand it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import AssistantError
from ..settings import Settings
from .middleware import ServiceMiddleware
from .observability import Metrics
from .routes import answers, bots_kakao, bots_telegram, conversations, documents, health, openai_compat, web
from .security import KeyChecker, RateLimiter
from .service import Services

if TYPE_CHECKING:
    from ..core import Assistant
    from ..indexing.live import LiveIndex

log = logging.getLogger("assistant.api")

DESCRIPTION = """Cited answers from your Korean and Chinese documents.

Every `/v1` route needs `Authorization: Bearer KEY` or `X-API-Key: KEY` when the service has keys
configured (`ASSISTANT_API__API_KEYS`). Every error is `{"error": {"code", "message"}}`.
"""


def create_app(settings: Settings, assistant: Assistant | None = None, live: LiveIndex | None = None) -> FastAPI:
    """The HTTP service over an assistant; without one, the index and assistant the settings name are opened."""
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "services", None) is None:
            app.state.services = _open_services(settings, metrics)
            await app.state.services.assistant.warm_up()
        yield
        await app.state.services.assistant.aclose()

    app = FastAPI(title="Korean/Chinese document assistant", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan)  # fmt: skip
    if assistant is not None:
        app.state.services = Services(settings, assistant, live, metrics)
    else:
        app.state.services = None
    for router in (
        answers.router,
        openai_compat.router,
        documents.router,
        conversations.router,
        health.router,
        bots_kakao.router,
        bots_telegram.router,
        web.router,
    ):
        app.include_router(router)
    _add_error_handlers(app)
    api = settings.api
    if api.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=api.cors_origins, allow_methods=["*"],
            allow_headers=["authorization", "x-api-key", "content-type"],
        )  # fmt: skip
    app.add_middleware(
        ServiceMiddleware, keys=KeyChecker(api.api_keys), limiter=RateLimiter(api.rate_limit, api.rate_burst),
        metrics=metrics, max_body=api.max_body_bytes, max_upload=api.max_upload_bytes,
    )  # fmt: skip
    return app


def _open_services(settings: Settings, metrics: Metrics) -> Services:
    from ..core import Assistant
    from ..indexing.live import LiveIndex

    live = LiveIndex(settings)
    assistant = Assistant.from_settings(settings, retriever=live.retriever)
    live.on_swap = lambda retriever: setattr(assistant, "retriever", retriever)
    return Services(settings, assistant, live, metrics)


def _error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
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
        return _error(422, "invalid_request", _validation_message(error.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed"}
        message = str(error.detail)
        if error.status_code == 404 and message == "Not Found":
            message = f"There is no route {request.url.path}. See /docs for the API."
        return _error(error.status_code, codes.get(error.status_code, "http_error"), message, error.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return _error(500, "internal_error", "Something went wrong on our side. The error has been logged.")


def _validation_message(errors: Any) -> str:
    """One readable sentence per problem: where it is and what is wrong."""
    problems = []
    for item in errors:
        location = ".".join(str(part) for part in item.get("loc", ()) if part != "body") or "body"
        message = item.get("msg", "is invalid")
        if item.get("type") == "json_invalid":
            problems.append(f"the body is not valid JSON ({item.get('ctx', {}).get('error', message)})")
        elif item.get("type") == "missing":
            problems.append(f"'{location}' is required")
        else:
            problems.append(f"'{location}': {message}")
    return "Fix the request: " + "; ".join(problems) + "."
