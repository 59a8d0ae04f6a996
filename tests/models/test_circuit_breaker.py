"""The circuit breaker's states, on a clock the tests move."""

from __future__ import annotations

import logging

import pytest

from assistant.models.circuit_breaker import BreakerState, CircuitBreaker, Permit


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        permit = breaker.acquire()
        assert permit is not None
        breaker.release(permit, False)


def test_failures_in_a_row_open_it_and_the_change_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    breaker = CircuitBreaker(3, 30.0, name="The model m", clock=clock)
    with caplog.at_level(logging.INFO, logger="assistant.models.circuit_breaker"):
        fail(breaker, 2)
        assert breaker.state is BreakerState.CLOSED
        fail(breaker, 1)
        assert breaker.state is BreakerState.OPEN
        assert [breaker.acquire() for _ in range(5)] == [None] * 5
    assert breaker.retry_in() == 30.0
    [opened] = caplog.records
    assert "failed 3 times in a row" in opened.getMessage() and "30 s" in opened.getMessage()


def test_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(2, 30.0, clock=Clock())
    for _ in range(5):
        fail(breaker, 1)
        permit = breaker.acquire()
        assert permit is not None
        breaker.release(permit, True)
    assert breaker.state is BreakerState.CLOSED


def test_after_the_cool_down_one_trial_goes_through_and_its_success_closes_it() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 10.0, clock=clock)
    fail(breaker, 1)
    clock.now += 9.9
    assert breaker.acquire() is None
    clock.now += 0.1
    trial = breaker.acquire()
    assert trial == Permit(trial=True) and breaker.state is BreakerState.HALF_OPEN
    assert breaker.acquire() is None  # one trial at a time
    breaker.release(trial, True)
    assert breaker.state is BreakerState.CLOSED and breaker.acquire() == Permit()


def test_a_failed_trial_opens_it_for_another_cool_down() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 10.0, clock=clock)
    fail(breaker, 1)
    clock.now += 10
    trial = breaker.acquire()
    assert trial is not None
    clock.now += 2
    breaker.release(trial, False)
    assert breaker.state is BreakerState.OPEN and breaker.retry_in() == 10.0
    clock.now += 9
    assert breaker.acquire() is None


def test_a_trial_without_a_verdict_leaves_the_next_call_to_try() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 10.0, clock=clock)
    fail(breaker, 1)
    clock.now += 10
    trial = breaker.acquire()
    assert trial is not None
    breaker.release(trial, None)  # the caller went away
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.acquire() == Permit(trial=True)


def test_late_results_of_calls_made_before_it_opened_change_nothing() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 10.0, clock=clock)
    early = breaker.acquire()
    assert early is not None
    fail(breaker, 1)
    breaker.release(early, True)
    assert breaker.state is BreakerState.OPEN


def test_zero_failures_never_opens_it() -> None:
    breaker = CircuitBreaker(0, 10.0, clock=Clock())
    fail(breaker, 50)
    assert breaker.state is BreakerState.CLOSED
