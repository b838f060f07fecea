"""The solve's time limit as a budget that every stage draws on, building the instance included.

CP-SAT stops itself at its limit; the Python stages around it (instance building, greedy) do not,
and on a pathological batch (a chain of 500 follow-ups, whose windows widen link by link) they
alone can run for minutes. Each such stage checks the budget as it goes and stops with
``OutOfTime`` naming where it was, so a solve ends near its limit with a reason instead of hanging.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


class OutOfTime(Exception):
    """The time limit ran out while ``stage`` was ``done`` of ``total`` through its work."""

    def __init__(self, stage: str, done: int, total: int) -> None:
        super().__init__(f"{stage}: {done} of {total} done")
        self.stage, self.done, self.total = stage, done, total


@dataclass(frozen=True)
class Budget:
    ends: float | None = None  # time.monotonic() at which the time is up; None: no limit

    def spent(self) -> bool:
        return self.ends is not None and time.monotonic() > self.ends

    def check(self, stage: str, done: int, total: int) -> None:
        if self.spent():
            raise OutOfTime(stage, done, total)


UNLIMITED = Budget()
