"""Prometheus metrics of one app (its own registry, so several apps can live in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_BREAKER_STATES = {"closed": 0, "half_open": 1, "open": 2}
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
