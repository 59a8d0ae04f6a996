"""``GET /`` (the chat page) and ``GET /static/{name}`` (its scripts and styles); no key needed for the page."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from ...errors import NotFoundError
from ...text.validation import CleanText

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# The page builds every node from text (never innerHTML), so it can forbid inline script and foreign origins.
_PAGE_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get("/")
async def page() -> FileResponse:
    """The chat page."""
    return FileResponse(STATIC / "index.html", media_type=_TYPES[".html"], headers=_PAGE_HEADERS)


@router.get("/static/{name}")
async def asset(name: CleanText) -> FileResponse:
    """One of the page's files; names are looked up in the static folder only (no sub-folders, no ``..``)."""
    path = STATIC / name
    if "/" in name or "\\" in name or name.startswith(".") or path.suffix not in _TYPES or not path.is_file():
        raise NotFoundError(f"There is no page file '{name}'.")
    return FileResponse(path, media_type=_TYPES[path.suffix], headers=_PAGE_HEADERS)
