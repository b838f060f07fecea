"""The overlap table, checked by hand against the example's rota."""

from __future__ import annotations

from datetime import date

from rotas import load_folder
from rotas.overlap import overlap
from tests.conftest import EXAMPLE


def test_police_and_social_work_overlap_in_the_demo_fortnight() -> None:
    """69 hours, worked out by hand from the rota (23 Mar - 5 Apr 2026).

    Social work is on duty 08:00-18:00 Mon-Thu (two compressed-hours staff work
    long days) and 09:00-17:00 on Fri 27 Mar; Good Friday (3 Apr) is a bank
    holiday and the weekends are off. Police cover inside those hours:

    Mon 23  lates from 14:00 (no earlies, no nights from Sunday)     14-18   4 h
    Tue 24  PC Varga's training day 09-17 (duty sheet), lates 14:00   09-18   9 h
    Wed 25  PC Thackray's early 07-16; nights start at 22:00          08-16   8 h
    Thu 26  PVU earlies 07-16; nobody until the nights at 22:00       08-16   8 h
    Fri 27  PVU earlies 07-16, PC Thackray late 14-23                 09-17   8 h
    Mon 30  earlies 07-16 (CSU, CSE), nights only from 22:00          08-16   8 h
    Tue 31  earlies 07-16, CSU lates 14-23                            08-18  10 h
    Wed  1  earlies 07-16 (DC Okafor, PC Haworth), lates 14-23        08-18  10 h
    Thu  2  lates from 14:00, no earlies, no nights from Wednesday    14-18   4 h
                                                                    total  69 h
    """
    p, _ = load_folder(EXAMPLE)
    assert p is not None
    report = overlap(p, date(2026, 3, 23), 14)
    pair = next(x for x in report.agencies if (x.a, x.b) == ("police", "social-work"))
    assert pair.hours == 69.0
    assert pair.people_pairs == 15 * 20


def test_a_team_that_never_meets(folder) -> None:
    """An all-nights unit and an office team: zero hours, every pair never together."""
    files = {
        "patterns.toml": """
        [[cycles]]
        name = "six-four"
        agency = "police"
        anchor = 2026-01-05
        days = "N N R R"

        [[weekly]]
        name = "office"
        agency = "social-work"
        rules = [{ days = ["MO", "TU", "WE", "TH", "FR"], shift = "D" }]
    """
    }
    p, problems = load_folder(folder(files))
    assert problems == []
    report = overlap(p, date(2026, 3, 2), 28)
    (pair,) = report.agencies
    assert (pair.hours, pair.pairs_never_together, pair.median_pair_hours) == (0.0, 1, 0.0)
