"""What the routes share: the assistant, the live index, settings and metrics, held on ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

from ..settings import Settings
from .observability import Metrics
from .security import Caller

if TYPE_CHECKING:
    from ..core import Assistant
    from ..indexing.live import LiveIndex


@dataclass
class Services:
    """The objects one running service is made of."""

    settings: Settings
    assistant: Assistant
    live: LiveIndex | None
    metrics: Metrics
    ready: bool = True  # False while the analysers load at start (``/readyz`` says 503 until then)


def services(request: Request) -> Services:
    """The services of the app serving this request (a FastAPI dependency, run in a worker thread). The live
    index is refreshed first: a request that follows a write finished by another process sees it."""
    found: Services = request.app.state.services
    if found.live is not None:
        found.live.refresh()
    return found


def caller(request: Request) -> Caller | None:
    """The caller's key and role, as the middleware checked them (``None`` on a service without keys)."""
    found: Caller | None = request.scope.get("state", {}).get("caller")
    return found


async def owner(request: Request) -> str | None:
    """Who owns what this request creates and may see (a FastAPI dependency): the key id, or ``None``
    on a service without keys, where everything is visible."""
    found = caller(request)
    return found.id if found else None
