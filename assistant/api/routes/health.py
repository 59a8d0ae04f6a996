"""``/livez``, ``/readyz`` and ``/metrics`` (Prometheus)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..service import Services, services

router = APIRouter(tags=["health"])
ServicesDep = Annotated[Services, Depends(services)]


@router.get("/livez", summary="The process is up")
async def livez() -> dict[str, str]:
    """Always ok while the process serves requests."""
    return {"status": "ok"}


@router.get(
    "/readyz", summary="Ready to answer",
    responses={503: {"description": "Still loading the analysers (`warming`), or the index is empty"}},
)  # fmt: skip
async def readyz(service: ServicesDep) -> Any:
    """Ready when the analysers are loaded and the index holds passages (``warming`` until then); reports
    whether answers come from the model or extraction, and the model's circuit breaker (`open`: the model is
    skipped after failing, answers are extractive)."""
    stats = service.assistant.retriever.store.stats()
    assistant = service.assistant
    ready = service.ready and stats.passages > 0
    body = {
        "status": "ok" if ready else ("unavailable" if service.ready else "warming"),
        "documents": stats.documents,
        "passages": stats.passages,
        "model": assistant.model.id,
        "model_breaker": assistant.model_breaker() or None,
        "fallback": "extractive",
    }
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(service: ServicesDep) -> Response:
    """Requests, latency per route and per answer stage, fallbacks, model tokens and the model's breaker."""
    service.metrics.record_breaker(service.assistant.model_breaker())
    return Response(generate_latest(service.metrics.registry), media_type=CONTENT_TYPE_LATEST)
