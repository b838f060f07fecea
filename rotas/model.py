"""The partnership as plain, immutable data: what the files say, already checked.

``rotas.folder`` builds these from TOML/CSV/ICS files and ``scheduler.store``
rebuilds them from SQLite; everything else only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

BankHolidayRule = Literal["work", "off"]
ABSENCE_KINDS = ("leave", "training", "court", "sickness", "busy", "other")


@dataclass(frozen=True, slots=True)
class Shift:
    """A code an agency puts on its rotas: on duty from ``start`` to ``end``, or a day off.

    ``end`` at or before ``start`` means the shift ends the next day (a night).
    """

    code: str
    label: str
    start: time | None = None
    end: time | None = None

    @property
    def on_duty(self) -> bool:
        return self.start is not None

    @property
    def crosses_midnight(self) -> bool:
        return self.start is not None and self.end is not None and self.end <= self.start


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    name: str
    shifts: dict[str, Shift] = field(default_factory=dict)
    kind: str = "other"


@dataclass(frozen=True, slots=True)
class Room:
    id: str
    name: str
    capacity: int


@dataclass(frozen=True, slots=True)
class Team:
    """``hub_travel``: minutes its people need to reach the hub for a meeting there, each way (0: based at
    the hub, co-located; None: not said, the request's own travel applies)."""

    id: str
    name: str
    agency: str
    pattern: str | None = None
    offset: int = 0
    hub_travel: int | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A member of staff. ``pattern``/``offset`` override the team's when set."""

    id: str
    name: str
    email: str
    agency: str
    team: str
    role: str
    grade: str = ""
    pattern: str | None = None
    offset: int | None = None


@dataclass(frozen=True, slots=True)
class CyclePattern:
    """A rota that repeats every ``len(days)`` days; on ``anchor`` offset k works ``days[k]``."""

    name: str
    agency: str
    anchor: date
    days: tuple[str, ...]
    bank_holidays: BankHolidayRule = "work"
    kind: Literal["cycle"] = "cycle"


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    """Work ``shift`` on the dates an RFC 5545 RRULE (anchored on the pattern's anchor) yields."""

    rrule: str
    shift: str


@dataclass(frozen=True, slots=True)
class WeeklyPattern:
    """Calendar-week working: office hours, part-time days, compressed hours, term time."""

    name: str
    agency: str
    anchor: date
    rules: tuple[WeeklyRule, ...]
    bank_holidays: BankHolidayRule = "off"
    term_time_only: bool = False
    kind: Literal["weekly"] = "weekly"


Pattern = CyclePattern | WeeklyPattern


@dataclass(frozen=True, slots=True)
class Term:
    name: str
    start: date
    end: date  # inclusive


@dataclass(frozen=True, slots=True)
class Absence:
    """Time a person is not available even if rostered: leave, training, court, busy."""

    person: str
    start: datetime  # UTC
    end: datetime  # UTC
    kind: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class DutyOverride:
    """A duty-sheet row: on ``date`` the person works ``code`` whatever the rota says."""

    person: str
    date: date
    code: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    """The partnership's scheduling rules (partnership.toml's [settings]), typed and checked.

    Every default is stated once, on the file's model (``rotas.schema.Settings``); this is made from it
    (``rotas.schema.settings_from``) for a folder and a stored partnership alike, so code reads
    ``p.settings.time_grain_minutes`` and never a default of its own.
    """

    max_meetings_per_day: int
    time_grain_minutes: int
    meeting_hours: tuple[time, time]  # local; meetings, travel included, inside them
    case_reference_pattern: str
    rest_day_notice_days: int
    share_absence_reasons: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        """The settings as partnership.toml writes them (how the store keeps them)."""
        return {
            "max_meetings_per_day": self.max_meetings_per_day,
            "time_grain_minutes": self.time_grain_minutes,
            "meeting_hours": [f"{t:%H:%M}" for t in self.meeting_hours],
            "case_reference_pattern": self.case_reference_pattern,
            "rest_day_notice_days": self.rest_day_notice_days,
            "share_absence_reasons": list(self.share_absence_reasons),
        }


def default_settings() -> Settings:
    """The settings of a partnership.toml without [settings] (the defaults are the file model's)."""
    from rotas.schema import settings_from

    return settings_from({})


@dataclass(frozen=True, slots=True)
class Partnership:
    id: str
    name: str
    timezone: str
    bank_holidays: str
    coordinator_name: str
    coordinator_email: str
    agencies: tuple[Agency, ...] = ()
    teams: tuple[Team, ...] = ()
    people: tuple[Person, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    terms: tuple[Term, ...] = ()
    extra_bank_holidays: tuple[date, ...] = ()
    absences: tuple[Absence, ...] = ()
    overrides: tuple[DutyOverride, ...] = ()
    busy_calendars: tuple[tuple[str, str], ...] = ()  # (person id, iCalendar text)
    rooms: tuple[Room, ...] = ()
    settings: Settings = field(default_factory=default_settings)

    def agency(self, agency_id: str) -> Agency:
        return next(a for a in self.agencies if a.id == agency_id)

    def team(self, team_id: str) -> Team:
        return next(t for t in self.teams if t.id == team_id)

    def person(self, person_id: str) -> Person:
        return next(p for p in self.people if p.id == person_id)

    def pattern(self, name: str) -> Pattern:
        return next(p for p in self.patterns if p.name == name)

    def pattern_of(self, person: Person) -> tuple[Pattern | None, int]:
        """The pattern a person works and their offset in it (a person's own beats the team's)."""
        team = self.team(person.team)
        name = person.pattern or team.pattern
        offset = person.offset if person.offset is not None else team.offset
        return (self.pattern(name) if name else None), offset
