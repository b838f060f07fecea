"""Dates and date-times typed on the command line, read once and held to the years Quorum plans in."""

from __future__ import annotations

from datetime import date, datetime

from rotas.sane import date_problem, shown
from scheduler import today as clock
from scheduler.errors import UserError


def day(value: str, option: str, example: str = "2026-03-23") -> date:
    """``value`` as a date, or a UserError (exit 2) naming the option."""
    return clock.parse(value, option, example)


def moment(value: str, option: str) -> datetime:
    """``value`` as a (local) date-time, or a UserError (exit 2) naming the option."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise UserError(f"{option} {shown(value)} is not a date-time such as 2026-03-24T10:00") from exc
    problem = date_problem(parsed.date())
    if problem:
        raise UserError(f"{option}: {problem}")
    return parsed
