"""VTIMEZONE components from zoneinfo: yearly rules where the zone has them, the same in every file.

icalendar's own ``add_missing_timezones`` writes each onset at the wall time *after* the change (the
spring onset of Europe/London as 02:00 with TZOFFSETFROM +0000, i.e. 02:00 UTC, an hour late: the
change is at 01:00 UTC) and lists every change as an RDATE over a window that follows each file's
events, a form some clients handle badly. RFC 5545 3.6.5 wants DTSTART as the local time *before* the
change (in TZOFFSETFROM). Here each run of years in which a zone changes by one yearly rule (the same
month, weekday of the month and wall time, as Europe/London has since 1996) becomes one component
with an RRULE, bounded by UNTIL in UTC where the run ends; changes that follow no such rule are RDATEs.
Only the runs that reach into the files' own years are written, so files of the same years agree.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

SCAN_FROM, SCAN_TO = 1970, 2100  # the years whose changes are examined, so a rule's run is found whole


# A yearly rule: offsets before and after, name, month, weekday (0 Monday), which one (-1 last), wall time.
Rule = tuple[timedelta, timedelta, str, int, int, int, time]


@dataclass(frozen=True)
class Change:
    """One clock change: when (UTC), the offsets before and after, and the name after."""

    at: datetime
    before: timedelta
    after: timedelta
    name: str

    @property
    def local(self) -> datetime:
        """The wall time of the change as RFC 5545 writes it: in the offset before it, without a zone."""
        return (self.at + self.before).replace(tzinfo=None)

    @property
    def rule(self) -> Rule:
        """What makes changes the same yearly rule: offsets, name, month, weekday, which one, wall time."""
        wall = self.local
        last = calendar.monthrange(wall.year, wall.month)[1]
        nth = -1 if wall.day + 7 > last else (wall.day - 1) // 7 + 1
        return (self.before, self.after, self.name, wall.month, wall.weekday(), nth, wall.time())


@lru_cache(maxsize=16)
def changes(tz: ZoneInfo, first: int = SCAN_FROM, last: int = SCAN_TO) -> list[Change]:
    """Every change of ``tz``'s UTC offset or name from the start of year ``first`` to the end of ``last``."""
    out: list[Change] = []
    moment = datetime(first, 1, 1, tzinfo=UTC)
    end = datetime(last + 1, 1, 1, tzinfo=UTC)
    step = timedelta(days=1)

    def state(at: datetime) -> tuple[timedelta, str]:
        local = at.astimezone(tz)
        return local.utcoffset() or timedelta(0), local.tzname() or ""

    current = state(moment)
    while moment < end:
        following = state(moment + step)
        if following != current:
            lo, hi = moment, moment + step  # the change lies in (lo, hi]: bisect to the minute
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= lo:
                    break
                if state(mid) == current:
                    lo = mid
                else:
                    hi = mid
            out.append(Change(hi, current[0], following[0], following[1]))
            current = following
        moment += step
    return out


@lru_cache(maxsize=16)
def _runs(tz: ZoneInfo) -> tuple[tuple[Change, ...], ...]:
    """The changes grouped into runs of one yearly rule in consecutive years. Worked out once per zone:
    every file written needs it, and grouping 260 changes cost 60 ms a file (a publish writes hundreds)."""
    runs: list[list[Change]] = []
    latest: dict[Rule, list[Change]] = {}  # a rule's latest run: the only one it may extend
    for change in changes(tz):
        rule = change.rule
        run = latest.get(rule)
        if run is not None and run[-1].local.year == change.local.year - 1:
            run.append(change)
        else:
            run = [change]
            runs.append(run)
            latest[rule] = run
    return tuple(tuple(run) for run in runs)


def vtimezone(tz: ZoneInfo, first: date, last: date) -> icalendar.Timezone:
    """The VTIMEZONE of ``tz`` covering local dates ``first`` to ``last``."""
    found = changes(tz)
    component = icalendar.Timezone()
    component.add("tzid", tz.key)
    if not found:  # a zone that never changes: one STANDARD from the epoch
        offset = datetime(first.year, 1, 1, tzinfo=tz).utcoffset() or timedelta(0)
        name = datetime(first.year, 1, 1, tzinfo=tz).tzname() or tz.key
        component.add_component(_part("STANDARD", datetime(1970, 1, 1), offset, offset, name))
        return component
    runs = _runs(tz)
    lo, hi = datetime.combine(first, datetime.min.time()), datetime.combine(last, datetime.max.time())
    # The runs in force during the files' years: those starting before their end and ending after their
    # start, plus the last change before their start (it sets the offset the first event is in).
    before = [c for c in found if c.local < lo]
    wanted = [run for run in runs if run[0].local <= hi and (run[-1].local >= lo or (before and before[-1] in run))]
    for run in sorted(wanted, key=lambda r: r[0].at):
        head = run[0]
        part = _part(
            "DAYLIGHT" if head.after > head.before else "STANDARD", head.local, head.before, head.after, head.name
        )
        if len(run) > 2:
            _, _, _, month, weekday, nth, _ = head.rule
            rule: dict[str, object] = {"freq": "yearly", "bymonth": month, "byday": f"{nth}{_DAY[weekday]}"}
            if run[-1].at.year < SCAN_TO:
                rule["until"] = run[-1].at
            part.add("rrule", rule)
        else:
            for change in run[1:]:
                part.add("rdate", change.local)
        component.add_component(part)
    return component


_DAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _part(kind: str, start: datetime, before: timedelta, after: timedelta, name: str) -> icalendar.cal.Component:
    part = icalendar.TimezoneDaylight() if kind == "DAYLIGHT" else icalendar.TimezoneStandard()
    part.add("dtstart", start)
    part.add("tzoffsetfrom", before)
    part.add("tzoffsetto", after)
    part.add("tzname", name)
    return part
