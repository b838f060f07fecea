"""The best fixed time for a standing meeting (the daily high-risk meeting), over a whole rota cycle.

A standing meeting happens at the same time every working day, so the right
question is not "when is everyone free next Tuesday" but "at which time of
day, over the whole rota cycle, is each agency most often represented?".
Each candidate time is scored by the sum of the agencies' shares of
occurrences with someone on duty, ties to the earlier time; the answer also
shows, for each day of the week, how often every agency is there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rotas.availability import availability
from rotas.bankholidays import bank_holidays
from rotas.clock import to_utc, zone
from rotas.model import CyclePattern, Partnership
from scheduler.errors import UserError
from scheduler.solver.starts import covered_starts, minutes

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class StandingOption:
    time: str  # local "HH:MM"
    occurrences: int
    shares: dict[str, float]  # agency -> share of occurrences with someone on duty
    all_present: float  # share of occurrences with every agency there
    by_weekday: dict[str, float]  # weekday -> share with every agency there

    @property
    def score(self) -> float:
        return sum(self.shares.values())


def cycle_days(p: Partnership) -> int:
    """The length after which every rota repeats: the least common multiple of the cycles, weeks for the rest."""
    lengths = [len(x.days) for x in p.patterns if isinstance(x, CyclePattern)] + [7, 14]
    return min(366, math.lcm(*lengths))


def standing_options(
    p: Partnership, agencies: list[str], duration: int, first: date, days: int, weekdays: list[str], top: int = 5
) -> list[StandingOption]:
    known = {a.id for a in p.agencies}
    unknown = [a for a in agencies if a not in known]
    if unknown:
        raise UserError(f"no agency {unknown[0]!r} (agencies: {', '.join(sorted(known))})")
    bad = [d for d in weekdays if d not in WEEKDAYS]
    if bad or not weekdays:
        raise UserError(f"--days takes days of the week such as MO,TU,WE,TH,FR (got {','.join(weekdays)})")
    tz = zone(p.timezone)
    holidays = bank_holidays(
        p.bank_holidays, range(first.year, (first + timedelta(days=days)).year + 1), p.extra_bank_holidays
    )
    dates = [first + timedelta(days=n) for n in range(days)]
    dates = [d for d in dates if WEEKDAYS[d.weekday()] in weekdays and d not in holidays]
    if not dates:
        raise UserError("no working days in that range")
    members = {a: [x.id for x in p.people if x.agency == a] for a in agencies}
    duty = availability(p, first, days, [x for ids in members.values() for x in ids])
    grain = p.settings.time_grain_minutes
    open_at, close_at = p.settings.meeting_hours
    times = []
    wall = datetime.combine(first, open_at)
    while (wall + timedelta(minutes=duration)).time() <= close_at and wall.date() == first:
        times.append(wall.time())
        wall += timedelta(minutes=grain)
    options = []
    for t in times:
        starts = [minutes(to_utc(d, t, tz)) for d in dates]
        present = {}
        for agency, ids in members.items():
            covered: set[int] = set()
            for person in ids:
                covered |= covered_starts([(minutes(s), minutes(e)) for s, e in duty[person]], starts, 0, duration)
            present[agency] = covered
        everyone = set.intersection(*present.values()) if present else set()
        by_day: dict[str, list[int]] = {}
        for i, d in enumerate(dates):
            by_day.setdefault(WEEKDAYS[d.weekday()], []).append(i)
        options.append(
            StandingOption(
                time=t.strftime("%H:%M"),
                occurrences=len(dates),
                shares={a: round(len(c) / len(dates), 3) for a, c in present.items()},
                all_present=round(len(everyone) / len(dates), 3),
                by_weekday={w: round(sum(i in everyone for i in idx) / len(idx), 3) for w, idx in by_day.items()},
            )
        )
    options.sort(key=lambda o: (-o.score, -o.all_present, o.time))
    return options[:top]
