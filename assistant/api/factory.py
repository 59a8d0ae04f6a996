"""The application factory each worker process of ``assistant serve --workers N`` runs (uvicorn ``factory=True``).

``serve`` puts its command-line choices into the environment (``ASSISTANT_*``) before starting the workers,
so every worker loads the same ``Settings`` as the parent (environment, then ``.env``). Two private variables
carry what is not a setting: the log level, and a folder where each worker leaves a file once it serves
(the parent says "serving on" when all have). Each answer says which worker made it (``X-Worker``: its pid).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..settings import Settings
from .app import create_app

FACTORY = "assistant.api.factory:app_from_environment"
READY_DIR = "_ASSISTANT_WORKERS_READY"
LOG_LEVEL = "_ASSISTANT_WORKERS_LOG_LEVEL"
WORKER_HEADER = "x-worker"


def app_from_environment() -> FastAPI:
    """The service of one worker process, configured from the environment."""
    settings = Settings()
    _configure_logging(settings, int(os.environ.get(LOG_LEVEL, logging.INFO)))
    ready = os.environ.get(READY_DIR)
    app = create_app(settings, on_ready=(lambda: _say_ready(Path(ready))) if ready else None)
    app.add_middleware(WorkerHeader)
    return app


class WorkerHeader:
    """Adds ``X-Worker: <pid>`` to every answer, so a client (or a test) can tell the workers apart."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.value = str(os.getpid()).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (WORKER_HEADER.encode(), self.value)]
            await send(message)

        await self.app(scope, receive, send_with_header)


def _say_ready(folder: Path) -> None:
    (folder / str(os.getpid())).touch()


def _configure_logging(settings: Settings, level: int) -> None:
    """A worker's log lines, on stderr like the parent's, each naming the worker."""
    if settings.log_format == "json":
        from ..log_format import use_json_logs

        use_json_logs(level)
        return
    logging.basicConfig(
        level=level, format=f"[worker {os.getpid()}] %(levelname)s %(name)s: %(message)s", force=True
    )  # fmt: skip
    for noisy in ("jieba", "faiss", "sentence_transformers", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
