"""Prometheus metrics of one app (its own registry, so several apps can live in one process), and the request log.

``RequestMetrics``, a plain ASGI middleware, times every request and names its route template (as
prometheus-fastapi-instrumentator's routing does) for ``assistant_http_requests_total{route,method,status}``,
``assistant_http_request_seconds{route}`` and one ``assistant.api`` log line per request. Plain rather than the
instrumentator's own middleware, which matched the path against every route again and built a request, a
response and an info object per request: a noticeable share of a few-millisecond answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import MutableMapping
from typing import Any

from asgi_correlation_id import correlation_id
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_fastapi_instrumentator.routing import get_route_name
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("assistant.api")

_BREAKER_STATES = {"closed": 0, "half_open": 1, "open": 2}
# Paths without a route: the API's own prefixes, and the rest (the library calls both "none").
_KEYED = ("/v1/", "/api/")
_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """Request counts and latency, answer stage latency, fallbacks and tokens."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "assistant_http_requests_total", "HTTP requests.", ["route", "method", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "assistant_http_request_seconds", "HTTP request latency.", ["route"], registry=self.registry,
            buckets=_LATENCY_BUCKETS,
        )  # fmt: skip
        self.stage = Histogram(
            "assistant_answer_stage_seconds", "Time per answer stage.", ["stage"], registry=self.registry,
            buckets=_LATENCY_BUCKETS,
        )  # fmt: skip
        self.answers = Counter("assistant_answers_total", "Answers composed.", ["model"], registry=self.registry)
        self.fallbacks = Counter(
            "assistant_fallbacks_total", "Answers that fell back to extraction.", registry=self.registry
        )
        self.tokens = Counter("assistant_model_tokens_total", "Model tokens.", ["kind"], registry=self.registry)
        self.breaker = Gauge(
            "assistant_model_breaker_state", "The model's circuit breaker: 0 closed, 1 half-open (one trial), "
            "2 open (the model is skipped).", registry=self.registry,
        )  # fmt: skip

    def instrument(self, app: Starlette) -> None:
        """Measure and log every request of ``app`` (add it outside the middleware whose rejections should count)."""
        app.add_middleware(RequestMetrics, metrics=self)

    def count(self, route: str, method: str, status: str, seconds: float) -> None:
        """Count one request and its latency."""
        self.requests.labels(route, method, status).inc()
        self.latency.labels(route).observe(seconds)

    def record_breaker(self, state: str) -> None:
        """Show the model's circuit breaker state ('' without a model counts as closed)."""
        self.breaker.set(_BREAKER_STATES.get(state, 0))

    def record_answer(self, answer: object) -> None:
        """Count an answer and its stage timings."""
        from ..records import Answer

        assert isinstance(answer, Answer)
        self.answers.labels(answer.model).inc()
        if answer.fallback:
            self.fallbacks.inc()
        for stage, ms in answer.timings_ms.items():
            self.stage.labels(stage).observe(ms / 1000)
        for kind, count in answer.usage.items():
            if count:
                self.tokens.labels(kind).inc(count)


class RequestMetrics:
    """Times, counts and logs every HTTP request of the app it wraps."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._static: dict[tuple[str, str, str], str] = {}  # routes whose template is their path (most requests)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        route = self._route(scope)  # before the app runs: routing rewrites the scope (a mount's root path)
        status = 500  # when the app fails before it answers

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            seconds = max(time.perf_counter() - started, 0.0)
            self.metrics.count(route, scope["method"], str(status), seconds)
            if log.isEnabledFor(logging.INFO):
                _log_request(scope, route, status, seconds)

    def _route(self, scope: Scope) -> str:
        """The route template ("/v1/documents/{document_id}"), so metrics do not explode per id; "unmatched" for
        an API path no route takes, "other" for the rest."""
        key = (scope["method"], scope.get("root_path", ""), scope["path"])
        found = self._static.get(key)
        if found is not None:
            return found
        request = Request(scope)
        name = get_route_name(request, should_include_root_path=False)
        if name is None:
            return "unmatched" if request.url.path.startswith(_KEYED) else "other"
        if name == scope["path"]:  # one entry per route at most: paths with ids in them are not kept
            self._static[key] = name
        return name


def _log_request(scope: MutableMapping[str, Any], route: str, status: int, seconds: float) -> None:
    """One line per request: id, route, method, path, status, ms, client, and the answer's stage timings."""
    state = scope.get("state") or {}
    method, path = scope["method"], Request(scope).url.path
    request_id, client = correlation_id.get() or "-", state.get("client", "-")
    fields = {
        "request_id": request_id, "route": route, "method": method, "path": path,
        "status": status, "ms": round(seconds * 1000, 1), "client": client,
    }  # fmt: skip
    if "timings" in state:
        fields["timings_ms"] = state["timings"]
    log.info(
        "request_id=%s method=%s path=%s status=%s ms=%.1f client=%s",
        request_id, method, path, status, seconds * 1000, client, extra=fields,
    )  # fmt: skip
