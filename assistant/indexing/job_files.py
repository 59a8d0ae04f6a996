"""Background indexing jobs kept on disk, so every worker serving an index folder can report every job.

    index/.jobs/<job id>.json   one job: its state as ``IndexJob`` has it, plus the host and pid running it

Each change of state replaces the file atomically (written beside it, then moved over it), so a reader sees
the old state or the new one, never half of one. A job left queued or running by a process that is gone is
reported failed. Finished jobs beyond the newest ``kept`` are removed by whichever worker finishes one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from .jobs import IndexJob, JobState

log = logging.getLogger(__name__)

FOLDER = ".jobs"  # inside the index folder
_HOST = socket.gethostname()


class JobFiles:
    """The jobs folder of one index: write a job's state, read one job or all of them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, job: IndexJob) -> None:
        """Record the job's state (a failure to write is logged: the job itself goes on)."""
        record = {**asdict(job), "state": job.state.value, "host": _HOST, "pid": os.getpid()}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, staged = tempfile.mkstemp(prefix=f".{job.id}.", dir=self.folder)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(record, out, ensure_ascii=False)
            os.replace(staged, self._path(job.id))
        except OSError as error:
            log.warning("could not record indexing job %s in %s: %s", job.id, self.folder, error)

    def read(self, job_id: str) -> IndexJob | None:
        """The job as last recorded by whichever worker runs it, or ``None``."""
        if not job_id.isalnum():  # ids are hex: anything else names no file of ours
            return None
        return self._load(self._path(job_id))

    def all(self) -> list[IndexJob]:
        """Every recorded job."""
        if not self.folder.is_dir():
            return []
        return [job for path in self.folder.glob("*.json") if (job := self._load(path)) is not None]

    def forget_finished_beyond(self, kept: int) -> None:
        """Remove the oldest finished jobs so that at most ``kept`` remain."""
        finished = sorted((job for job in self.all() if job.finished), key=lambda job: job.finished_at or 0.0)
        for job in finished[: max(len(finished) - kept, 0)]:
            self._path(job.id).unlink(missing_ok=True)

    def _path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def _load(self, path: Path) -> IndexJob | None:
        try:
            record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        host, pid = record.pop("host", None), record.pop("pid", None)
        try:
            job = IndexJob(**{**record, "state": JobState(record["state"]), "documents": tuple(record["documents"])})
        except (KeyError, TypeError, ValueError):
            return None
        if not job.finished and host == _HOST and isinstance(pid, int) and not _alive(pid):
            return replace(
                job, state=JobState.FAILED, finished_at=job.finished_at or time.time(), error_code="cancelled",
                error="The worker indexing this upload stopped before it was done; nothing was changed. Upload it "
                "again.",
            )  # fmt: skip
        return job


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"  # a zombie is a worker gone, not yet reaped
    return True
