"""Each small example folder shows its one pattern kind working."""

from __future__ import annotations

from datetime import date

from rotas import load_folder
from rotas.availability import availability, on_duty
from rotas.clock import day_span, zone
from rotas.intervals import total
from rotas.roster import roster
from tests.conftest import ROOT

SMALL = ROOT / "examples" / "small"


def load(name: str):
    p, problems = load_folder(SMALL / name)
    assert problems == [] and p is not None
    return p


def test_four_staggered_reliefs_cover_every_hour() -> None:
    p = load("reliefs-2x2x2")
    first, days = date(2026, 3, 23), 14  # includes the spring clock change
    cover = on_duty(p, first, days, [x.id for x in p.people])
    lo, hi = day_span(first, days, zone(p.timezone))
    assert cover == [(lo, hi)]


def test_ten_week_roster_offsets_start_three_weeks_apart() -> None:
    p = load("ten-week-roster")
    days = roster(p, date(2026, 1, 5), 7, None)
    assert [d.codes[0] for d in days["dc-one"]] == "E E E E E R R".split()
    assert [d.codes[0] for d in days["dc-two"]] == "R R R E E E E".split()
    assert [d.codes[0] for d in days["dc-three"]] == "N N N N R R R".split()


def test_nine_day_fortnight_works_every_other_friday() -> None:
    p = load("compressed-and-part-time")
    fridays = [d for d in roster(p, date(2026, 1, 5), 28, ["sw-compressed"])["sw-compressed"] if d.date.weekday() == 4]
    assert [d.status for d in fridays] == ["duty", "off", "duty", "off"]
    week = availability(p, date(2026, 1, 5), 7, ["sw-full", "sw-compressed", "sw-part"])
    hours = {k: total(v).total_seconds() / 3600 for k, v in week.items()}
    assert hours == {"sw-full": 40, "sw-compressed": 48, "sw-part": 24}


def test_term_time_duty_sheet_and_leave() -> None:
    p = load("term-time")
    easter_holidays = availability(p, date(2026, 4, 6), 7)  # between terms
    assert easter_holidays == {"sn-one": [], "sn-two": []}
    in_term = availability(p, date(2026, 4, 20), 5)
    assert len(in_term["sn-one"]) == 5 and in_term["sn-two"] == []  # sn-two on leave all week
    saturday = roster(p, date(2026, 5, 30), 1, ["sn-one"])["sn-one"][0]  # outside term but on the duty sheet
    assert saturday.codes == ("SA",) and saturday.source == "duty-sheet"
