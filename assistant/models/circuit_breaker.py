"""A circuit breaker: after N failures in a row, skip the model for a cool-down, then let one trial through.

    closed ──N failures in a row──▶ open ──cool-down over, next call is the trial──▶ half-open
      ▲                               ▲                                                │
      └─────────── trial succeeds ────┼────────────────────────────────────────────────┤
                                      └──────────────── trial fails ───────────────────┘

A caller asks ``acquire()`` before the call (``None``: skip it) and hands the permit back with ``release``:
``True`` for a success, ``False`` for a failure, ``None`` when the call ended without a verdict (the caller
stopped reading, an unrelated error); a trial without a verdict leaves the next call to be the trial.
Each change of state is logged once. Thread-safe; time comes from an injectable monotonic clock.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


class BreakerState(enum.Enum):
    """Whether calls go through (closed), are skipped (open), or one trial is under way (half-open)."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class Permit:
    """Leave to make one call; ``trial`` when it decides whether the breaker closes again."""

    trial: bool = False


class CircuitBreaker:
    """Counts consecutive failures of one dependency and decides whether the next call may go through."""

    def __init__(
        self,
        failures: int,
        cooldown: float,
        *,
        name: str = "the model",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``failures`` in a row open the breaker for ``cooldown`` seconds; ``failures=0`` never opens it."""
        self.failures = failures
        self.cooldown = cooldown
        self.name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._in_a_row = 0
        self._opened_at = 0.0
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        """The current state (an open breaker whose cool-down is over stays open until a call tries)."""
        return self._state

    def retry_in(self) -> float:
        """Seconds until an open breaker lets a trial through (0 when it is not open)."""
        if self._state is not BreakerState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.cooldown - self._clock())

    def acquire(self) -> Permit | None:
        """Leave to call, or ``None`` while the breaker is open or a trial is under way."""
        with self._lock:
            if self._state is BreakerState.CLOSED:
                return Permit()
            if self._state is BreakerState.OPEN and self._clock() >= self._opened_at + self.cooldown:
                self._state = BreakerState.HALF_OPEN
                log.info("Trying %s again after %g s.", self.name, self.cooldown)
            if self._state is BreakerState.HALF_OPEN and not self._trial_running:
                self._trial_running = True
                return Permit(trial=True)
            return None

    def release(self, permit: Permit, success: bool | None) -> None:
        """Record how the permitted call went: ``True`` success, ``False`` failure, ``None`` no verdict."""
        with self._lock:
            if permit.trial:
                self._end_trial(success)
            elif self._state is BreakerState.CLOSED and success is not None:
                self._count(success)

    def _count(self, success: bool) -> None:
        if success:
            self._in_a_row = 0
            return
        self._in_a_row += 1
        if self.failures and self._in_a_row >= self.failures:
            self._open()
            log.warning(
                "%s failed %d times in a row; skipping it for %g s (answers are extractive meanwhile).",
                self.name, self._in_a_row, self.cooldown,
            )  # fmt: skip

    def _end_trial(self, success: bool | None) -> None:
        self._trial_running = False
        if success is None:
            return  # still half-open: the next call is the trial
        if success:
            self._state, self._in_a_row = BreakerState.CLOSED, 0
            log.warning("%s answers again; calling it as usual.", self.name)
        else:
            self._open()
            log.warning("%s still fails; skipping it for %g s more.", self.name, self.cooldown)

    def _open(self) -> None:
        self._state = BreakerState.OPEN
        self._opened_at = self._clock()
