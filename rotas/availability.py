"""On-duty intervals: the roster's shifts minus absences and busy calendar time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from rotas.busy import busy_intervals
from rotas.clock import day_span, zone
from rotas.intervals import Interval, clip, merge, subtract
from rotas.model import Absence, Partnership
from rotas.roster import RosterDay, roster


def absences_between(
    partnership: Partnership, lo: datetime, hi: datetime, people: Iterable[str] | None = None
) -> dict[str, list[Absence]]:
    """Absences touching ``[lo, hi)`` per person, busy calendar blocks included (kind 'busy')."""
    wanted = set(people) if people is not None else None
    tz = zone(partnership.timezone)
    out: dict[str, list[Absence]] = defaultdict(list)
    for a in partnership.absences:
        if (wanted is None or a.person in wanted) and a.end > lo and a.start < hi:
            out[a.person].append(a)
    for person, text in partnership.busy_calendars:
        if wanted is None or person in wanted:
            for s, e in busy_intervals(text, lo, hi, tz):
                out[person].append(Absence(person, s, e, "busy", f"busy/{person}.ics"))
    for items in out.values():
        items.sort(key=lambda a: (a.start, a.end))
    return dict(out)


def availability(
    partnership: Partnership,
    first: date,
    days: int,
    people: Iterable[str] | None = None,
) -> dict[str, list[Interval]]:
    """Each person's merged UTC on-duty intervals within ``days`` local days from ``first``.

    The roster starts a day early so a night shift that began the evening
    before ``first`` is counted from midnight.
    """
    chosen = list(people) if people is not None else [p.id for p in partnership.people]
    tz = zone(partnership.timezone)
    lo, hi = day_span(first, days, tz)
    rosters = roster(partnership, first - timedelta(days=1), days + 1, chosen)
    absences = absences_between(partnership, lo, hi, chosen)
    return duty_from(rosters, absences, lo, hi)


def duty_from(
    rosters: dict[str, list[RosterDay]], absences: dict[str, list[Absence]], lo: datetime, hi: datetime
) -> dict[str, list[Interval]]:
    """On-duty intervals from rosters and absences already read (the solver reads each once and keeps both)."""
    out: dict[str, list[Interval]] = {}
    for person, days in rosters.items():
        duty = merge(i for day in days for i in day.intervals)
        away = merge((a.start, a.end) for a in absences.get(person, ()))
        out[person] = clip(subtract(duty, away), lo, hi)
    return out


def on_duty(partnership: Partnership, first: date, days: int, people: Iterable[str]) -> list[Interval]:
    """Instants when at least one of ``people`` is on duty (a team's or agency's cover)."""
    per_person = availability(partnership, first, days, people)
    return merge(i for intervals in per_person.values() for i in intervals)
