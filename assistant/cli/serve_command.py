"""``assistant serve``: the HTTP API (and chat page) over the index, building the demo index first if needed."""

from __future__ import annotations

from pathlib import Path

import click

from .common import handle_errors, index_option, load_settings


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1; 0.0.0.0 for all).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default 8000).")
@index_option
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), default=None,
              help="Corpus to build from when there is no index yet (default ./corpus).")  # fmt: skip
@handle_errors
def serve(host: str | None, port: int | None, index_dir: Path | None, corpus_dir: Path | None) -> None:
    """Serve the answer API: /v1/answer, /v1/chat (SSE), /v1/chat/completions, /v1/search, documents,
    conversations, bots, /livez, /readyz, /metrics; the OpenAPI docs are at /docs."""
    import logging

    import uvicorn

    from ..api.app import create_app
    from ..indexing.builder import build_index
    from ..indexing.storage import has_index

    settings = load_settings(index_dir=index_dir, corpus_dir=corpus_dir)
    if host:
        settings.api.host = host
    if port is not None:
        settings.api.port = port
    log = logging.getLogger("assistant.serve")
    if not has_index(settings.index_dir):
        log.info("no index in %s yet: building it from %s", settings.index_dir, settings.corpus_dir)
        report = build_index(settings)
        log.info("indexed %d documents, %d passages in %.1f s", report.documents, report.passages, report.seconds)
    app = create_app(settings)
    log.info("serving on http://%s:%d (API docs at /docs)", settings.api.host, settings.api.port)
    uvicorn.run(app, host=settings.api.host, port=settings.api.port, log_level="warning", access_log=False)
