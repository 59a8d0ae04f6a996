"""``assistant serve``: the HTTP API (and chat page) over the index, building the demo index first if needed.

With ``--workers N`` uvicorn runs N worker processes on the one listening socket, each building the app from
``api.factory`` with the same settings (passed through the environment). They share the index folder (writes
take its lock; every worker swaps a new generation in), the corpus folder, the SQLite conversations and the
background jobs; rate limits are counted by each worker on its own.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path

import click

from ..errors import ConfigurationError
from ..settings import Settings
from .common import handle_errors, index_option, load_settings


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1; 0.0.0.0 for all).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default 8000).")
@index_option
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), default=None,
              help="Corpus folder: built from when there is no index yet, and where uploaded documents go "
              "(default: the folder the index was built from, else corpus/ beside the index).")  # fmt: skip
@click.option(
    "--allow-open",
    is_flag=True,
    default=None,
    help="Serve on a non-loopback address with no API keys (anyone who reaches it may change documents).",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes serving the one address; they share the index, corpus, conversations "
              "and jobs; rate limits are counted per worker unless ASSISTANT_REDIS__URL is set.")  # fmt: skip
@handle_errors
def serve(
    host: str | None, port: int | None, index_dir: Path | None, corpus_dir: Path | None, allow_open: bool | None,
    workers: int,
) -> None:  # fmt: skip
    """Serve the answer API: /v1/answer, /v1/chat (SSE), /v1/chat/completions, /v1/search, documents,
    conversations, bots, /livez, /readyz, /metrics; the OpenAPI docs are at /docs."""
    import uvicorn

    from ..api.app import create_app
    from ..indexing.builder import build_index
    from ..indexing.storage import has_index

    settings = load_settings(index_dir=index_dir, corpus_dir=corpus_dir)
    if host:
        settings.api.host = host
    if port is not None:
        settings.api.port = port
    if allow_open:
        settings.api.allow_open = True
    from ..api.security import check_exposure, key_checker

    check_exposure(settings.api, key_checker(settings.api), warn=False)  # refuse before building anything
    from ..shared.redis_connection import check_reachable

    check_reachable(settings.redis)  # a wrong ASSISTANT_REDIS__URL fails now, in one line
    if settings.log_format == "json":
        from ..log_format import use_json_logs

        use_json_logs(logging.getLogger().level)
    log = logging.getLogger("assistant.serve")
    sock = _bind(settings.api.host, settings.api.port)  # an address in use fails now, not after the build
    if not has_index(settings.index_dir):
        log.info("no index in %s yet: building it from %s", settings.index_dir, settings.corpus_dir)
        report = build_index(settings)
        log.info("indexed %d documents, %d passages in %.1f s", report.documents, report.passages, report.seconds)
    log.info("corpus folder (uploads are kept there): %s", settings.corpus_dir)
    if workers > 1:
        _serve_workers(settings, sock, workers, log)
        return
    app = create_app(settings)
    config = uvicorn.Config(
        app, host=settings.api.host, port=settings.api.port, log_level="warning", access_log=False,
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
    )  # fmt: skip
    bound_host, bound_port = sock.getsockname()[:2]
    log.info("serving on http://%s:%d (API docs at /docs)", bound_host, bound_port)
    uvicorn.Server(config).run(sockets=[sock])


def _serve_workers(settings: Settings, sock: socket.socket, workers: int, log: logging.Logger) -> None:
    """Run ``workers`` uvicorn worker processes on the bound socket; say "serving on" once all of them serve."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from ..api.factory import FACTORY, LOG_LEVEL, READY_DIR
    from ..store.base import open_store

    open_store(settings).close()  # an index the workers cannot open is one clear error here, not N failing workers
    if settings.api.rate_limit and not settings.redis.url:  # with Redis the workers share one allowance
        log.warning(
            "rate limits are counted by each of the %d workers on its own: a client may make up to %d requests a "
            "minute in all", workers, workers * settings.api.rate_limit,
        )  # fmt: skip
    if settings.conversations.backend == "memory":
        log.warning("conversations are kept in each worker's memory: a conversation continued on another worker "
                    "starts afresh (use ASSISTANT_CONVERSATIONS__BACKEND=sqlite)")  # fmt: skip
    ready = tempfile.mkdtemp(prefix="assistant-workers-")
    os.environ.update(_environment(settings))
    os.environ.update({READY_DIR: ready, LOG_LEVEL: str(logging.getLogger().getEffectiveLevel())})
    config = uvicorn.Config(
        FACTORY, factory=True, workers=workers, host=settings.api.host, port=settings.api.port, log_level="warning",
        access_log=False, log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
        timeout_worker_healthcheck=_HEALTHCHECK_SECONDS,
    )  # fmt: skip
    bound_host, bound_port = sock.getsockname()[:2]
    stop, announced = threading.Event(), threading.Event()

    def announce() -> None:
        while not stop.wait(0.1):
            if len(os.listdir(ready)) >= workers:
                log.info("serving on http://%s:%d with %d workers (API docs at /docs)", bound_host, bound_port, workers)
                announced.set()
                return

    threading.Thread(target=announce, name="serve-announce", daemon=True).start()
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        stop.set()
        shutil.rmtree(ready, ignore_errors=True)
    if not announced.is_set():
        raise ConfigurationError("The workers stopped before all of them were serving; the log above says why.")


_HEALTHCHECK_SECONDS = 60  # a worker loading its index (kiwi, jieba, FAISS) may not answer uvicorn's ping for a while


def _environment(settings: Settings) -> dict[str, str]:
    """The settings the command line changed, as the variables each worker's ``Settings()`` reads."""
    assert settings.corpus_dir is not None
    return {
        "ASSISTANT_INDEX_DIR": str(settings.index_dir.resolve()),
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir.resolve()),
        "ASSISTANT_API__HOST": settings.api.host,
        "ASSISTANT_API__PORT": str(settings.api.port),
        "ASSISTANT_API__ALLOW_OPEN": "true" if settings.api.allow_open else "false",
    }


def _bind(host: str, port: int) -> socket.socket:
    """The listening address, bound now so that "serving on" is only said once it is true."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as error:
        sock.close()
        raise ConfigurationError(
            f"Cannot listen on {host}:{port} ({error.strerror or error}). Another program (or another "
            "`assistant serve`) may be using the port: stop it, or pick another one with --port."
        ) from None
    sock.set_inheritable(True)
    return sock
