"""Turning wall-clock times into instants, with one documented rule for clock changes.

Rotas are written in local wall-clock time ("nights are 22:00 to 07:00"), but
durations and overlaps must be computed on instants, or a night shift across
the October change would look an hour shorter than it is. Twice a year a
wall-clock time is not a single instant:

* **A time that repeats** (clocks go back, e.g. 01:30 on the last Sunday of
  October in Europe/London) means its *first* occurrence, still in summer time.
* **A time that does not exist** (clocks go forward, e.g. 01:30 on the last
  Sunday of March) means *the instant the clocks change* (02:00 BST).

Both rules are total: no wall-clock time raises an error.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """A time zone by IANA name; raises ``ValueError`` with a readable message if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as 'Europe/London')") from exc


def to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local day, by the module's rule."""
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first <= second:
        # Normal (equal) or repeated time (fold=0 is the earlier instant): take the first.
        return first
    # A gap: fold=0 used the offset before the change and landed after it, fold=1 the
    # offset after and landed before it. The change itself lies between the two.
    return _transition_between(second, first, tz)


def _transition_between(lo: datetime, hi: datetime, tz: ZoneInfo) -> datetime:
    """The first UTC instant in (lo, hi] whose offset differs from lo's, to the second."""
    before = lo.astimezone(tz).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which a local day starts."""
    return to_utc(day, time(0, 0), tz)


def day_span(first: date, days: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC bounds of ``days`` whole local days from ``first``; a DST day is 23 or 25 hours."""
    return local_midnight(first, tz), local_midnight(first + timedelta(days=days), tz)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """The local calendar date of an instant."""
    return instant.astimezone(tz).date()


def missing_hour(naive: datetime, tz: ZoneInfo) -> str | None:
    """Why a local wall time does not exist (the hour skipped when the clocks go forward), in words; None
    when it does. ``to_utc`` would move such a time silently to the change; a time someone typed is
    refused instead, with the nearest times that do exist."""
    if naive.tzinfo is not None:
        return None
    there = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if there == naive:
        return None
    change = to_utc(naive.date(), naive.time(), tz)
    offset = (change - timedelta(seconds=1)).astimezone(tz).utcoffset() or timedelta(0)
    before = (change.replace(tzinfo=None) + offset).strftime("%H:%M")
    after = change.astimezone(tz).strftime("%H:%M")
    return (
        f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks go forward from {before} to {after} "
        f"that night; give a time before {before} or from {after}"
    )
