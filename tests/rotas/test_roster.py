"""Who works what on which day: cycles, offsets, weekly rules, bank holidays, terms, duty sheets."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rotas import load_folder
from rotas.model import Partnership
from rotas.roster import roster


def loaded(folder, files=None) -> Partnership:
    p, problems = load_folder(folder(files))
    assert problems == []
    assert p is not None
    return p


def codes(p: Partnership, person: str, first: date, days: int) -> list[str]:
    return [("/".join(d.codes) or d.status) for d in roster(p, first, days, [person])[person]]


def test_cycle_from_its_anchor(folder) -> None:
    p = loaded(folder)
    assert codes(p, "officer", date(2026, 1, 5), 12) == ["E", "E", "L", "L", "N", "N", "R", "R", "R", "R", "E", "E"]


@pytest.mark.parametrize("offset", [0, 3, 9])
def test_offset_k_works_day_k_on_the_anchor(folder, offset: int) -> None:
    p = loaded(
        folder,
        {
            "teams.toml": f"""
        [[teams]]
        id = "unit"
        name = "Police unit"
        agency = "police"
        pattern = "six-four"
        offset = {offset}

        [[teams]]
        id = "district"
        name = "District team"
        agency = "social-work"
        pattern = "office"
    """
        },
    )
    cycle = ["E", "E", "L", "L", "N", "N", "R", "R", "R", "R"]
    assert codes(p, "officer", date(2026, 1, 5), 10) == cycle[offset:] + cycle[:offset]
    # ...and the cycle runs backwards before the anchor too.
    assert codes(p, "officer", date(2026, 1, 5) - timedelta(days=10), 10) == cycle[offset:] + cycle[:offset]


def test_person_offset_overrides_team(folder) -> None:
    people = """
        [[people]]
        id = "officer"
        name = "DC One"
        email = "one@example.org"
        team = "unit"
        role = "Police officer"
        offset = 4

        [[people]]
        id = "worker"
        name = "Sam Worker"
        email = "sam@example.org"
        team = "district"
        role = "Social worker"
    """
    p = loaded(folder, {"people.toml": people})
    assert codes(p, "officer", date(2026, 1, 5), 3) == ["N", "N", "R"]


def test_office_worker_is_off_on_christmas_and_easter_monday(folder) -> None:
    p = loaded(folder)
    xmas = roster(p, date(2026, 12, 25), 1, ["worker"])["worker"][0]
    assert xmas.status == "bank_holiday" and xmas.intervals == ()
    easter = roster(p, date(2026, 4, 3), 4, ["worker"])["worker"]  # Good Friday .. Easter Monday
    assert [d.status for d in easter] == ["bank_holiday", "off", "off", "bank_holiday"]
    assert roster(p, date(2026, 4, 7), 1, ["worker"])["worker"][0].status == "duty"


def test_police_cycles_work_bank_holidays_by_default(folder) -> None:
    p = loaded(folder)
    day = roster(p, date(2026, 12, 25), 1, ["officer"])["officer"][0]
    assert day.status in {"duty", "rest"} and day.source == "cycle"


def test_extra_bank_holidays_count(folder) -> None:
    p = loaded(
        folder,
        {
            "partnership.toml": """
        name = "Tiny partnership"
        extra_bank_holidays = [2026-03-18]
        [coordinator]
        name = "Co Ordinator"
        email = "coordinator@example.org"
    """
        },
    )
    assert roster(p, date(2026, 3, 18), 1, ["worker"])["worker"][0].status == "bank_holiday"


def test_fortnightly_rrule_and_term_time(folder) -> None:
    p = loaded(
        folder,
        {
            "patterns.toml": """
        [[cycles]]
        name = "six-four"
        agency = "police"
        anchor = 2026-01-05
        days = "E E L L N N R R R R"

        [[weekly]]
        name = "office"
        agency = "social-work"
        anchor = 2026-01-05
        term_time_only = true
        rules = [
          { days = ["MO"], shift = "D" },
          { rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", shift = "D" },
        ]
    """
        },
    )
    fridays = [d.status for d in roster(p, date(2026, 1, 9), 22, ["worker"])["worker"] if d.date.weekday() == 4]
    assert fridays == ["duty", "off", "duty", "off"]  # 9, 16, 23, 30 Jan
    # The base partnership's only term ends on Fri 27 Mar 2026.
    after = roster(p, date(2026, 3, 30), 1, ["worker"])["worker"][0]
    assert after.status == "outside_term"


def test_duty_sheet_overrides_the_rota(folder) -> None:
    sheet = "date,person,shift_code\n2026-01-05,officer,N\n2026-01-06,officer,R\n"
    p = loaded(folder, {"duty-sheet.csv": sheet})
    days = roster(p, date(2026, 1, 5), 3, ["officer"])["officer"]
    assert [d.codes for d in days] == [("N",), ("R",), ("L",)]
    assert [d.source for d in days] == ["duty-sheet", "duty-sheet", "cycle"]
