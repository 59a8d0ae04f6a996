"""Background jobs recorded in the index folder: every process sharing it reports every job, a job whose
process is gone reads as failed, and only the newest finished jobs are kept."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.errors import NotFoundError
from assistant.indexing.job_files import JobFiles
from assistant.indexing.jobs import IndexJob, IndexJobs, JobState, WriteReport


def finished(jobs: IndexJobs, job_id: str, seconds: float = 30) -> IndexJob:
    deadline = time.monotonic() + seconds
    while not (job := jobs.get(job_id)).finished:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return job


def test_a_job_run_by_one_process_is_reported_by_another(tmp_path: Path) -> None:
    folder = tmp_path / "index" / ".jobs"
    runner, other = IndexJobs(5, 5, JobFiles(folder)), IndexJobs(5, 5, JobFiles(folder))
    release = threading.Event()
    job = runner.submit("big.md", ("big",), 30_000, lambda: (release.wait(30), WriteReport((), 7, {"analyse": 1}))[1],
                        lambda: None)  # fmt: skip
    assert other.get(job.id).state in (JobState.QUEUED, JobState.RUNNING)
    assert [j.id for j in other.list()] == [job.id]
    release.set()
    finished(runner, job.id)
    seen = other.get(job.id)
    assert seen.state is JobState.DONE and seen.passages == 7 and seen.documents == ("big",)
    assert seen == runner.get(job.id)
    with pytest.raises(NotFoundError, match="index folder"):
        other.get("0123abcd")
    runner.close()
    other.close()


def test_a_job_left_unfinished_by_a_process_that_is_gone_reads_as_failed(tmp_path: Path) -> None:
    files = JobFiles(tmp_path / ".jobs")
    job = IndexJob("abc123", "big.md", ("big",), 30_000, state=JobState.RUNNING)
    files.write(job)
    assert files.read("abc123") == job  # this process is alive
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    record = (tmp_path / ".jobs" / "abc123.json").read_text(encoding="utf-8")
    (tmp_path / ".jobs" / "abc123.json").write_text(
        record.replace(f'"pid": {os.getpid()}', f'"pid": {int(gone.stdout)}'), encoding="utf-8"
    )
    failed = files.read("abc123")
    assert failed is not None and failed.state is JobState.FAILED and failed.error_code == "cancelled"
    assert "Upload it again" in (failed.error or "")
    assert files.read("../etc") is None and files.read("missing") is None


def test_only_the_newest_finished_jobs_are_kept(tmp_path: Path) -> None:
    files = JobFiles(tmp_path / ".jobs")
    for n in range(5):
        job = IndexJob(f"job{n}", "x", ("x",), 1, state=JobState.DONE, finished_at=100.0 + n)
        files.write(job)
    files.write(IndexJob("waiting", "y", ("y",), 1))
    files.forget_finished_beyond(2)
    assert sorted(job.id for job in files.all()) == ["job3", "job4", "waiting"]
    kept = files.read("job4")
    assert kept is not None and kept.state is JobState.DONE and kept.finished_at == 104.0 and kept.documents == ("x",)
