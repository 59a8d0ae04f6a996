"""Prometheus metrics of one app (its own registry, so several apps can live in one process), and the request log.

prometheus-fastapi-instrumentator's middleware times every request and names its route template; our two
instrumentations turn that into ``assistant_http_requests_total{route,method,status}``,
``assistant_http_request_seconds{route}`` and one ``assistant.api`` log line per request.
"""

from __future__ import annotations

import logging

from asgi_correlation_id import correlation_id
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator.metrics import Info
from starlette.applications import Starlette

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
        instrumentator = Instrumentator(should_group_status_codes=False, registry=self.registry)
        instrumentator.add(self._count, _log_request).instrument(app)

    def _count(self, info: Info) -> None:
        route = _route(info)
        self.requests.labels(route, info.method, info.modified_status).inc()
        self.latency.labels(route).observe(info.modified_duration)

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


def _route(info: Info) -> str:
    """The route template ("/v1/documents/{document_id}"), so metrics do not explode per id."""
    if info.modified_handler != "none":
        return info.modified_handler
    return "unmatched" if info.request.url.path.startswith(_KEYED) else "other"


def _log_request(info: Info) -> None:
    """One line per request: id, route, method, path, status, ms, client, and the answer's stage timings."""
    state = info.request.scope.get("state") or {}
    request_id, path, client = correlation_id.get() or "-", info.request.url.path, state.get("client", "-")
    fields = {
        "request_id": request_id, "route": _route(info), "method": info.method, "path": path,
        "status": int(info.modified_status), "ms": round(info.modified_duration * 1000, 1), "client": client,
    }  # fmt: skip
    if "timings" in state:
        fields["timings_ms"] = state["timings"]
    log.info(
        "request_id=%s method=%s path=%s status=%s ms=%.1f client=%s",
        request_id, info.method, path, info.modified_status, info.modified_duration * 1000, client, extra=fields,
    )  # fmt: skip
