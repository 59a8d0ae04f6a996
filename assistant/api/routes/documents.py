"""``/v1/documents``: upload, list and delete documents; changes are visible to the next question.

Large uploads are indexed in the background: they answer 202 with a job (``/v1/documents/jobs/{id}``)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import JSONResponse

from ...errors import IndexError_
from ...indexing.jobs import IndexJob
from ...indexing.live import LiveIndex
from ...indexing.search_index import DocumentEntry
from ...records import Document
from ...text.validation import CleanText
from ..schemas import DeletedOut, DocumentsOut, JobOut, JobsOut, TextDocument, UploadOut, error_responses
from ..service import Services, services

router = APIRouter(prefix="/v1/documents", tags=["documents"])
ServicesDep = Annotated[Services, Depends(services)]
JOBS = "/jobs"
_ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {
        "model": JobOut,
        "description": "A large upload, accepted and queued: poll the job at the Location header until it is done",
    }
}
_WRITE_ERRORS = error_responses(400, 401, 403, 413, 422, 429, 503)


def _live(service: Services) -> LiveIndex:
    if service.live is None:
        raise IndexError_("This service was started without a writable index; documents cannot be changed here.")
    return service.live


def _out(live: LiveIndex, result: list[Document] | IndexJob) -> Any:
    if isinstance(result, IndexJob):
        location = f"{router.prefix}{JOBS}/{result.id}"
        return JSONResponse(_job(result), status_code=202, headers={"Location": location})
    listed = {entry.id: entry for entry in live.documents()}  # one listing: on Milvus each one is a scan
    return {"documents": [_entry(listed[d.id] if d.id in listed else live.document(d.id)) for d in result]}


def _job(job: IndexJob) -> dict[str, Any]:
    return {
        "id": job.id, "state": job.state.value, "name": job.name, "documents": list(job.documents),
        "characters": job.characters, "passages": job.passages,
        "error": {"code": job.error_code or "index_error", "message": job.error} if job.error else None,
        "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at,
        "timings_ms": dict(job.timings_ms),
    }  # fmt: skip


def _entry(entry: DocumentEntry) -> dict[str, Any]:
    return {
        "id": entry.id, "title": entry.title, "source": entry.source, "date": entry.date, "path": entry.path,
        "passages": entry.passages,
    }  # fmt: skip


@router.get("", response_model=DocumentsOut, responses=error_responses(401, 429), summary="List indexed documents")
async def list_documents(service: ServicesDep) -> dict[str, Any]:
    """Every indexed document with its title, source and passage count."""
    live = _live(service)
    return {"documents": [_entry(entry) for entry in live.documents()]}


@router.post(
    "", response_model=UploadOut, status_code=201, responses={**_WRITE_ERRORS, **_ACCEPTED},
    summary="Upload a document file",
)  # fmt: skip
async def upload(
    service: ServicesDep, file: Annotated[UploadFile, File(description=".md .html .txt .jsonl .pdf .docx .hwpx")]
) -> Any:
    """Add or replace the documents in a file (the file name without its extension is the document id;
    a JSONL file holds one document per line). Only this file's documents are processed. The file is read
    and checked before the answer, so a file that cannot be used is refused (400) even when it is large.

    A file holding more than `ASSISTANT_API__BACKGROUND_ABOVE_CHARS` characters of text (20,000 by default) is
    indexed in the background: the answer is 202 with the job and a `Location` header to poll
    (`GET /v1/documents/jobs/{id}`) until its `state` is `done` (searchable) or `failed` (`error` says why; the
    index was left as it was). Smaller files are indexed before the answer (201)."""
    live = _live(service)
    data = await file.read()
    return _out(live, await asyncio.to_thread(live.submit_file, file.filename or "", data))


@router.post(
    "/text", response_model=UploadOut, status_code=201, responses={**_WRITE_ERRORS, **_ACCEPTED},
    summary="Add a document given as JSON text",
)  # fmt: skip
async def add_text(body: TextDocument, service: ServicesDep) -> Any:
    """Add or replace one document from JSON: `id`, `title`, `text`, optional `lang`, `source` and metadata.
    The text may hold at most `ASSISTANT_API__MAX_TEXT_CHARS` characters (200,000 by default; longer: 413):
    upload longer documents as files.

    A text longer than `ASSISTANT_API__BACKGROUND_ABOVE_CHARS` characters (20,000 by default) is indexed in
    the background: the answer is 202 with the job and a `Location` header to poll (`GET /v1/documents/jobs/{id}`)
    until its `state` is `done` (searchable) or `failed` (`error` says why; the index was left as it was).
    Shorter texts are indexed before the answer (201)."""
    live = _live(service)
    return _out(live, await asyncio.to_thread(live.submit_text, body.model_dump()))


@router.get(
    JOBS, response_model=JobsOut, responses=error_responses(401, 403, 429, 503), summary="List indexing jobs"
)  # fmt: skip
async def list_jobs(service: ServicesDep) -> dict[str, Any]:
    """Background indexing jobs of every worker, newest first: every queued or running job and the last
    `ASSISTANT_API__JOBS_KEPT` finished ones (100 by default), kept in the index folder. An upload still queued
    or running when its worker stopped was not indexed: its job says `failed` (upload it again)."""
    return {"jobs": [_job(job) for job in _live(service).jobs.list()]}


@router.get(
    JOBS + "/{job_id}", response_model=JobOut, responses=error_responses(401, 403, 404, 422, 429, 503),
    summary="Follow an indexing job",
)  # fmt: skip
async def get_job(job_id: CleanText, service: ServicesDep) -> dict[str, Any]:
    """A background indexing job: `queued`, `running`, `done` (its documents are searchable, `passages` and
    `timings_ms` say what it took) or `failed` (`error` says why; the index was left as it was). Any worker
    answers for any job (see `GET /v1/documents/jobs`): an unknown or forgotten id is 404."""
    return _job(_live(service).job(job_id))


@router.delete(
    "/{document_id}", response_model=DeletedOut, responses=error_responses(401, 403, 404, 422, 429, 503),
    summary="Delete a document",
)  # fmt: skip
async def delete(document_id: CleanText, service: ServicesDep) -> dict[str, Any]:
    """Remove a document from the index and its file from the corpus."""
    live = _live(service)
    removed = await asyncio.to_thread(live.remove, document_id)
    return {"id": document_id, "deleted": True, "passages": removed}
