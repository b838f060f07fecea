"""What each person works on each local day: the shift code, or why they are off.

The roster keeps the *reason* as well as the hours (on nights, rest day, bank
holiday, outside term) because the solver has to tell a coordinator why
somebody cannot attend, not just that they cannot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from rotas.bankholidays import bank_holidays
from rotas.clock import to_utc, zone
from rotas.intervals import Interval
from rotas.model import CyclePattern, Partnership, Person, Shift, WeeklyPattern

Status = Literal["duty", "rest", "off", "bank_holiday", "outside_term", "no_pattern"]
Source = Literal["cycle", "weekly", "duty-sheet", "none"]  # where a day's shifts came from


@dataclass(frozen=True, slots=True)
class RosterDay:
    """One person's local day. ``intervals`` are the UTC duty periods that *start* that day."""

    person: str
    date: date
    codes: tuple[str, ...]
    label: str
    status: Status
    source: Source
    intervals: tuple[Interval, ...] = ()


def shift_interval(day: date, shift: Shift, tz: ZoneInfo) -> Interval:
    """The UTC instants of a shift worked on a local day; a night ends the next morning."""
    assert shift.start is not None and shift.end is not None
    end_day = day + timedelta(days=1) if shift.crosses_midnight else day
    return to_utc(day, shift.start, tz), to_utc(end_day, shift.end, tz)


def cycle_code(pattern: CyclePattern, offset: int, day: date) -> str:
    """The code worked on ``day`` by someone at ``offset`` in a cyclic rota."""
    return pattern.days[((day - pattern.anchor).days + offset) % len(pattern.days)]


@lru_cache(maxsize=256)
def rule_dates(rrule: str, anchor: date, first: date, last: date) -> frozenset[date]:
    """Dates in ``[first, last]`` on which an RRULE anchored on ``anchor`` falls."""
    start = datetime.combine(anchor, time())
    rule = rrulestr(rrule, dtstart=start, forceset=True, ignoretz=True)
    hits = rule.between(datetime.combine(first, time()), datetime.combine(last, time()), inc=True)
    return frozenset(d.date() for d in hits)


def roster(
    partnership: Partnership,
    first: date,
    days: int,
    people: Iterable[str] | None = None,
) -> dict[str, list[RosterDay]]:
    """Each chosen person's roster for ``days`` local days from ``first`` (all people if None)."""
    tz = zone(partnership.timezone)
    last = first + timedelta(days=days - 1)
    holidays = bank_holidays(
        partnership.bank_holidays, range(first.year, last.year + 1), partnership.extra_bank_holidays
    )
    overrides = {(o.person, o.date): o.code for o in partnership.overrides}
    terms = partnership.terms
    agencies = {a.id: a for a in partnership.agencies}
    teams = {t.id: t for t in partnership.teams}
    patterns = {p.name: p for p in partnership.patterns}
    wanted = set(people) if people is not None else None
    interval_cache: dict[tuple[str, str, date], Interval] = {}

    def interval(agency: str, shift: Shift, day: date) -> Interval:
        key = (agency, shift.code, day)
        if key not in interval_cache:
            interval_cache[key] = shift_interval(day, shift, tz)
        return interval_cache[key]

    def in_term(day: date) -> bool:
        return any(t.start <= day <= t.end for t in terms)

    def duty_day(person: Person, day: date, codes: tuple[str, ...], source: Source) -> RosterDay:
        shifts = [agencies[person.agency].shifts[c] for c in codes]
        on = tuple(interval(person.agency, s, day) for s in shifts if s.on_duty)
        label = " + ".join(s.label for s in shifts) or "Not a working day"
        status: Status = "duty" if on else ("rest" if shifts else "off")
        return RosterDay(person.id, day, codes, label, status, source, on)

    def weekly_dates(pattern: WeeklyPattern) -> list[tuple[frozenset[date], str]]:
        return [(rule_dates(r.rrule, pattern.anchor, first, last), r.shift) for r in pattern.rules]

    weekly_cache: dict[str, list[tuple[frozenset[date], str]]] = {}
    out: dict[str, list[RosterDay]] = {}
    for person in partnership.people:
        if wanted is not None and person.id not in wanted:
            continue
        team = teams[person.team]
        name = person.pattern or team.pattern
        pattern = patterns.get(name) if name else None
        offset = person.offset if person.offset is not None else team.offset
        days_out: list[RosterDay] = []
        for n in range(days):
            day = first + timedelta(days=n)
            override = overrides.get((person.id, day))
            if override is not None:
                days_out.append(duty_day(person, day, (override,), "duty-sheet"))
                continue
            if pattern is None:
                days_out.append(RosterDay(person.id, day, (), "No rota", "no_pattern", "none"))
                continue
            if isinstance(pattern, CyclePattern):
                code = cycle_code(pattern, offset, day)
                if pattern.bank_holidays == "off" and day in holidays:
                    days_out.append(RosterDay(person.id, day, (), "Bank holiday", "bank_holiday", "cycle"))
                else:
                    days_out.append(duty_day(person, day, (code,), "cycle"))
                continue
            if pattern.term_time_only and not in_term(day):
                days_out.append(RosterDay(person.id, day, (), "Outside term", "outside_term", "weekly"))
                continue
            if pattern.bank_holidays == "off" and day in holidays:
                days_out.append(RosterDay(person.id, day, (), "Bank holiday", "bank_holiday", "weekly"))
                continue
            if pattern.name not in weekly_cache:
                weekly_cache[pattern.name] = weekly_dates(pattern)
            codes = tuple(code for dates, code in weekly_cache[pattern.name] if day in dates)
            days_out.append(duty_day(person, day, codes, "weekly"))
        out[person.id] = days_out
    return out
