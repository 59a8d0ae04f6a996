"""``/v1/documents``: upload, list and delete documents; changes are visible to the next question."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, UploadFile

from ...errors import IndexError_
from ...indexing.live import LiveIndex
from ...records import Document
from ..schemas import DeletedOut, DocumentsOut, TextDocument, UploadOut, error_responses
from ..service import Services, services

router = APIRouter(prefix="/v1/documents", tags=["documents"])
ServicesDep = Annotated[Services, Depends(services)]


def _live(service: Services) -> LiveIndex:
    if service.live is None:
        raise IndexError_("This service was started without a writable index; documents cannot be changed here.")
    return service.live


def _out(live: LiveIndex, documents: list[Document]) -> dict[str, Any]:
    return {"documents": [_entry(live, d.id) for d in documents]}


def _entry(live: LiveIndex, document_id: str) -> dict[str, Any]:
    entry = live.document(document_id)
    return {
        "id": entry.id, "title": entry.title, "source": entry.source, "date": entry.date, "path": entry.path,
        "passages": entry.passages,
    }  # fmt: skip


@router.get("", response_model=DocumentsOut, responses=error_responses(401, 429), summary="List indexed documents")
async def list_documents(service: ServicesDep) -> dict[str, Any]:
    """Every indexed document with its title, source and passage count."""
    live = _live(service)
    return {"documents": [_entry(live, entry.id) for entry in live.documents()]}


@router.post(
    "", response_model=UploadOut, status_code=201, responses=error_responses(400, 401, 413, 422, 429, 503),
    summary="Upload a document file",
)  # fmt: skip
async def upload(
    service: ServicesDep, file: Annotated[UploadFile, File(description=".md .html .txt .jsonl .pdf")]
) -> Any:
    """Add or replace the documents in a file (the file name without its extension is the document id;
    a JSONL file holds one document per line). Only this file's documents are processed."""
    live = _live(service)
    data = await file.read()
    documents = await asyncio.to_thread(live.add_file, file.filename or "", data)
    return _out(live, documents)


@router.post(
    "/text", response_model=UploadOut, status_code=201, responses=error_responses(400, 401, 413, 422, 429, 503),
    summary="Add a document given as JSON text",
)  # fmt: skip
async def add_text(body: TextDocument, service: ServicesDep) -> Any:
    """Add or replace one document from JSON: `id`, `title`, `text`, optional `lang`, `source` and metadata."""
    live = _live(service)
    documents = await asyncio.to_thread(live.add_text, body.model_dump())
    return _out(live, documents)


@router.delete(
    "/{document_id}", response_model=DeletedOut, responses=error_responses(401, 404, 429, 503),
    summary="Delete a document",
)  # fmt: skip
async def delete(document_id: str, service: ServicesDep) -> dict[str, Any]:
    """Remove a document from the index and its file from the corpus."""
    live = _live(service)
    removed = await asyncio.to_thread(live.remove, document_id)
    return {"id": document_id, "deleted": True, "passages": removed}
