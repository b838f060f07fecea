"""What "today" is: the real date, or one frozen by ``--today DATE`` or ``QUORUM_TODAY``.

Solving places nothing before now, the rest-day notice rule counts days from today, deadlines are
"overdue" against today and ``check`` warns of windows wholly past: all of them read the day here,
so that a demo, a test or a coordinator replaying last March sees the same answers on any date.
Calendar stamps (DTSTAMP) and records of when something was done keep the real clock.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time

from rotas.sane import date_problem, shown
from scheduler.errors import UserError

ENV_TODAY = "QUORUM_TODAY"
_frozen: date | None = None


def parse(value: str, where: str, example: str = "2026-03-23") -> date:
    """``value`` as a date within the years Quorum plans in, or a UserError (exit 2) naming ``where``."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise UserError(f"{where} {shown(value)} is not a date such as {example}") from exc
    problem = date_problem(day)
    if problem:
        raise UserError(f"{where}: {problem}")
    return day


def freeze(day: date | None) -> None:
    """Make ``day`` today for this process (None: back to ``QUORUM_TODAY``, else the real date)."""
    global _frozen
    _frozen = day


def today() -> date:
    if _frozen is not None:
        return _frozen
    value = os.environ.get(ENV_TODAY)
    if value:
        return parse(value, ENV_TODAY)
    return date.today()


def now() -> datetime:
    """The instant scheduling counts from: the real time, or the start (UTC) of a frozen today."""
    if _frozen is None and not os.environ.get(ENV_TODAY):
        return datetime.now(UTC)
    return datetime.combine(today(), time(0), UTC)


# Dates as a coordinator reads them: always the weekday, the year only when it is not this year's
# ("Tue 24 Mar" read in November means next March; "Tue 24 Mar 2026" cannot be misread). The CLI,
# the UI and the solver's explanations all write dates through these.


def day_text(day: date, today_: date | None = None, *, padded: bool = True) -> str:
    """'Tue 05 Jan' lines up in a table; prose reads better unpadded ('Tue 5 Jan')."""
    this_year = (today_ or today()).year
    text = f"{day:%a} {day:%d}" if padded else f"{day:%a} {day.day}"
    return f"{text} {day:%b}" + ("" if day.year == this_year else f" {day.year}")


def moment_text(moment: datetime, today_: date | None = None) -> str:
    """'Tue 24 Mar 10:00' from a local time (already in the partnership's zone)."""
    return f"{day_text(moment.date(), today_)} {moment:%H:%M}"
