"""The standing-meeting time over a rota cycle, checked against plain date arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

from rotas import load_folder
from scheduler.solver.standing import cycle_days, standing_options


def test_best_time_is_the_early_late_handover(folder) -> None:
    p, problems = load_folder(folder())
    assert problems == [] and p is not None
    first = date(2026, 1, 5)  # the cycle's anchor; no bank holidays in the next 70 days
    days = cycle_days(p)
    assert days == 70  # lcm of the 10-day cycle and weeks
    best, *_ = standing_options(p, ["police", "social-work"], 30, first, days, ["MO", "TU", "WE", "TH", "FR"])
    weekdays = [first + timedelta(days=n) for n in range(days) if (first + timedelta(days=n)).weekday() < 5]
    # 14:00-14:30 is inside an early (07-16) and a late (14-23): cycle days 0-3 of "E E L L N N R R R R".
    expected = sum((d - first).days % 10 in {0, 1, 2, 3} for d in weekdays) / len(weekdays)
    assert best.time == "14:00"
    assert best.occurrences == len(weekdays) == 50
    assert best.shares == {"police": round(expected, 3), "social-work": 1.0}
    assert best.all_present == round(expected, 3)
