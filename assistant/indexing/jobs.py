"""Background indexing jobs: large uploads are indexed one at a time, off the request, and polled by id.

Jobs run in the process that accepted them. Given a ``JobFiles`` (``job_files.py``: what a served index
uses), each change of state is also recorded in the index folder, so every worker serving it reports every
job, and finished ones are remembered across restarts. An upload still queued or running when its process
stops is lost (it was never written into the corpus or the index, so nothing half-done remains: upload it
again). The last ``kept`` finished jobs are remembered, oldest forgotten first; at most ``max_waiting`` may
wait at once in one process, and more are refused with ``IndexBusyError`` until some have run.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import AssistantError, IndexBusyError, NotFoundError
from ..records import Document

if TYPE_CHECKING:
    from .job_files import JobFiles

log = logging.getLogger(__name__)


class JobState(enum.StrEnum):
    """Where a job is: waiting for the worker, being indexed, or finished either way."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class WriteReport:
    """What one document write did: the documents now indexed, their passages, and where the time went."""

    documents: tuple[Document, ...]
    passages: int
    timings_ms: Mapping[str, float]


@dataclass(frozen=True)
class IndexJob:
    """One upload being indexed in the background (a snapshot: ask ``IndexJobs.get`` for news)."""

    id: str
    name: str  # the uploaded file's name, or the JSON document's id
    documents: tuple[str, ...]  # ids of the documents in the upload
    characters: int
    state: JobState = JobState.QUEUED
    passages: int = 0
    error_code: str | None = None
    error: str | None = None
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    timings_ms: Mapping[str, float] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        """Done or failed."""
        return self.state in (JobState.DONE, JobState.FAILED)


class IndexJobs:
    """Runs write jobs on one worker thread (large documents are indexed one after another) and remembers them."""

    def __init__(self, kept: int, max_waiting: int, files: JobFiles | None = None) -> None:
        self.kept = kept
        self.max_waiting = max_waiting
        self.files = files  # where every process's jobs are recorded, when shared
        self._jobs: OrderedDict[str, IndexJob] = OrderedDict()
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-job")
        self._discard: dict[str, Callable[[], None]] = {}

    def submit(
        self,
        name: str,
        documents: tuple[str, ...],
        characters: int,
        work: Callable[[], WriteReport],
        discard: Callable[[], None],
    ) -> IndexJob:
        """Queue ``work``; ``discard`` cleans up after it if it never runs (the service stops first)."""
        with self._lock:
            waiting = sum(1 for job in self._jobs.values() if job.state is JobState.QUEUED)
            if waiting >= self.max_waiting:
                raise IndexBusyError(
                    f"{waiting} uploads are already waiting to be indexed; try again when some are done "
                    f"(GET /v1/documents/jobs), or raise ASSISTANT_API__MAX_QUEUED_JOBS (now {self.max_waiting})."
                )
            job = IndexJob(uuid.uuid4().hex, name, documents, characters)
            self._jobs[job.id] = job
            self._discard[job.id] = discard
            self._record(job)
        self._executor.submit(self._run, job.id, work)
        log.info("queued indexing job %s for %s (%d characters)", job.id, name, characters)
        return job

    def get(self, job_id: str) -> IndexJob:
        """A job by id (queued, running, or among the last finished ones), whichever process runs it."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None and self.files is not None:
            job = self.files.read(job_id)
        if job is None:
            kept = "in the index folder" if self.files is not None else "in memory, until the service restarts"
            raise NotFoundError(
                f"No indexing job '{job_id}'. Jobs are kept {kept}: the last {self.kept} finished ones "
                "and all unfinished ones. GET /v1/documents/jobs lists them."
            )
        return job

    def list(self) -> list[IndexJob]:
        """Every remembered job, newest first."""
        with self._lock:
            mine = list(reversed(self._jobs.values()))
        if self.files is None:
            return mine
        jobs = {job.id: job for job in self.files.all()} | {job.id: job for job in mine}
        return sorted(jobs.values(), key=lambda job: job.created_at, reverse=True)

    def close(self) -> None:
        """Stop taking work: jobs still queued fail (their uploads are discarded); a running one finishes."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            queued = [job for job in self._jobs.values() if job.state is JobState.QUEUED]
            for job in queued:
                self._jobs[job.id] = dataclasses.replace(
                    job, state=JobState.FAILED, finished_at=time.time(), error_code="cancelled",
                    error="The service stopped before this upload was indexed; nothing was changed. Upload it again.",
                )  # fmt: skip
                self._record(self._jobs[job.id])
            discards = [self._discard.pop(job.id) for job in queued if job.id in self._discard]
        for discard in discards:
            discard()

    def _run(self, job_id: str, work: Callable[[], WriteReport]) -> None:
        started = time.time()
        with self._lock:
            job = self._jobs[job_id]
            if job.state is not JobState.QUEUED:  # cancelled by ``close`` just before the worker took it
                return
            job = self._jobs[job_id] = dataclasses.replace(job, state=JobState.RUNNING, started_at=started)
            self._discard.pop(job_id, None)
            self._record(job)
        try:
            report = work()
        except AssistantError as error:
            log.warning("indexing job %s (%s) failed: %s", job_id, job.name, error)
            self._finish(job_id, JobState.FAILED, error_code=error.code, error=str(error))
        except Exception:
            log.exception("indexing job %s (%s) failed", job_id, job.name)
            self._finish(
                job_id, JobState.FAILED, error_code="internal_error",
                error="Indexing failed on our side (the error has been logged); the index was left as it was.",
            )  # fmt: skip
        else:
            timings = {"queued": round((started - job.created_at) * 1000, 1), **report.timings_ms}
            self._finish(job_id, JobState.DONE, passages=report.passages, timings_ms=timings)

    def _update(self, job_id: str, **changes: object) -> IndexJob:
        with self._lock:
            job = dataclasses.replace(self._jobs[job_id], **changes)  # type: ignore[arg-type]
            self._jobs[job_id] = job
            self._record(job)
            return job

    def _record(self, job: IndexJob) -> None:
        if self.files is not None:
            self.files.write(job)

    def _finish(self, job_id: str, state: JobState, **changes: object) -> None:
        self._update(job_id, state=state, finished_at=time.time(), **changes)
        with self._lock:
            finished = [key for key, job in self._jobs.items() if job.finished]
            for key in finished[: max(len(finished) - self.kept, 0)]:
                del self._jobs[key]
        if self.files is not None:
            self.files.forget_finished_beyond(self.kept)
