"""Background indexing jobs: one at a time, a bounded queue, a bounded memory of finished ones."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.errors import IndexBusyError, NotFoundError
from assistant.indexing.jobs import IndexJob, IndexJobs, JobState, WriteReport


def finished(jobs: IndexJobs, job: IndexJob, seconds: float = 10) -> IndexJob:
    deadline = time.monotonic() + seconds
    while not (job := jobs.get(job.id)).finished:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return job


def report(passages: int = 1) -> WriteReport:
    return WriteReport((), passages, {"analyse": 1.0})


def test_jobs_run_one_at_a_time_and_only_the_last_finished_are_remembered() -> None:
    jobs = IndexJobs(kept=2, max_waiting=10)
    running: list[int] = []
    overlap: list[bool] = []

    def work(n: int) -> WriteReport:
        running.append(n)
        overlap.append(len(running) > 1)
        time.sleep(0.01)
        running.remove(n)
        return report(n)

    submitted = [jobs.submit(f"doc-{n}", (f"doc-{n}",), 10, lambda n=n: work(n), lambda: None) for n in range(4)]
    last = finished(jobs, submitted[-1])
    assert last.state is JobState.DONE and last.passages == 3 and {"queued", "analyse"} <= set(last.timings_ms)
    assert not any(overlap)
    assert [job.id for job in jobs.list()] == [submitted[3].id, submitted[2].id]  # newest first
    with pytest.raises(NotFoundError, match="GET /v1/documents/jobs"):
        jobs.get(submitted[0].id)
    jobs.close()


def test_a_full_queue_refuses_naming_the_setting_and_closing_fails_what_waits() -> None:
    jobs = IndexJobs(kept=10, max_waiting=1)
    release = threading.Event()
    discarded: list[str] = []
    first = jobs.submit("first", ("first",), 1, lambda: (release.wait(10), report())[1], lambda: discarded.append("1"))
    while jobs.get(first.id).state is JobState.QUEUED:
        time.sleep(0.01)
    waiting = jobs.submit("second", ("second",), 1, report, lambda: discarded.append("2"))
    with pytest.raises(IndexBusyError, match="ASSISTANT_API__MAX_QUEUED_JOBS"):
        jobs.submit("third", ("third",), 1, report, lambda: discarded.append("3"))
    jobs.close()
    release.set()
    assert finished(jobs, first).state is JobState.DONE  # a running job finishes
    cancelled = jobs.get(waiting.id)
    assert cancelled.state is JobState.FAILED and cancelled.error_code == "cancelled"
    assert discarded == ["2"]


def test_a_failing_job_keeps_the_error_s_code_and_message() -> None:
    jobs = IndexJobs(kept=10, max_waiting=10)

    def boom() -> WriteReport:
        raise RuntimeError("secret internals")

    failed = finished(jobs, jobs.submit("x", ("x",), 1, boom, lambda: None))
    assert failed.state is JobState.FAILED and failed.error_code == "internal_error"
    assert "secret" not in (failed.error or "") and "left as it was" in (failed.error or "")
    jobs.close()
