"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), with their scripts and styles served from a package, not a CDN.

The assets come from ``fastapi-standalone-docs`` (MIT; Swagger UI is Apache-2.0, ReDoc MIT, their licences ship
beside the files), so the docs work on a machine without internet. They live under ``/docs/`` and ``/redoc/``, so
the middleware gates them exactly as it gates the pages (``api.docs_access``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from ...errors import NotFoundError

STATIC = Path(str(files("fastapi_standalone_docs") / "static"))
# Per page, the name in the URL -> the file under STATIC. ReDoc asks for its logo at "<page path>/logo-mini.svg".
ASSETS = {
    "docs": {
        "swagger-ui-bundle.js": "swagger/swagger-ui-bundle.js",
        "swagger-ui.css": "swagger/swagger-ui.css",
        "favicon.png": "fastapi/favicon.png",
    },
    "redoc": {"redoc.standalone.js": "redoc/redoc.standalone.js", "logo-mini.svg": "redoc/logo-mini.svg"},
}
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
# No validator badge: it would send the schema's URL to validator.swagger.io.
_SWAGGER_PARAMETERS = {"validatorUrl": None}

router = APIRouter(include_in_schema=False)


def _root(request: Request) -> str:
    """The prefix the service is served under (``root_path``), without a trailing slash."""
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over /openapi.json."""
    root = _root(request)
    return get_swagger_ui_html(
        openapi_url=root + (request.app.openapi_url or "/openapi.json"),
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=f"{root}/docs/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/docs/swagger-ui.css",
        swagger_favicon_url=f"{root}/docs/favicon.png",
        swagger_ui_parameters=_SWAGGER_PARAMETERS,
    )


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc over /openapi.json, without Google Fonts."""
    root = _root(request)
    return get_redoc_html(
        openapi_url=root + (request.app.openapi_url or "/openapi.json"),
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{root}/redoc/redoc.standalone.js",
        redoc_favicon_url=f"{root}/docs/favicon.png",
        with_google_fonts=False,
    )


@router.get("/docs/{name}")
async def swagger_asset(name: str) -> FileResponse:
    """One of Swagger UI's files."""
    return _asset("docs", name)


@router.get("/redoc/{name}")
async def redoc_asset(name: str) -> FileResponse:
    """One of ReDoc's files."""
    return _asset("redoc", name)


def _asset(page: str, name: str) -> FileResponse:
    """A file the page needs; only the names in ``ASSETS`` are served."""
    if name not in ASSETS[page]:
        raise NotFoundError(f"There is no file '{name}' for /{page}.")
    file = STATIC / ASSETS[page][name]
    return FileResponse(file, media_type=_TYPES[file.suffix])
