"""What the routes share: the assistant, the live index, settings and metrics, held on ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

from ..settings import Settings
from .observability import Metrics

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


def services(request: Request) -> Services:
    """The services of the app serving this request (a FastAPI dependency)."""
    found: Services = request.app.state.services
    return found
