"""The partnership folder's TOML files, as pydantic models.

These models do two jobs: they validate what a coordinator typed (types,
required keys, misspelt keys) with a location for every error, and they
generate the published JSON Schemas (``docs/schema/``) so an editor can check
the files as they are typed. References between files (a team's agency, a
cycle's shift codes) are checked afterwards in ``rotas.folder``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from rotas import addresses, model
from rotas.sane import check_value, pattern_problem

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
CODE_PATTERN = r"^[A-Za-z0-9]{1,8}$"
CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
EMAIL_PATTERN = r"^[^@\s<>\",;]+@[^@\s<>\",;]+\.[^@\s<>\",;]+$"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Reasons for absence a partnership may let attendees read (share_absence_reasons): the rota (nights, rest
# days), the absence kinds other than sickness, and other meetings (said without naming them).
SHAREABLE_REASONS = ("rota", "leave", "training", "court", "busy", "other", "meetings")


def _matches(pattern: str, explain: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise ValueError(f"{value!r} is not valid: {explain}")
        return value

    return AfterValidator(check)


def _clock(value: Any) -> Any:
    """Accept TOML's own local times (07:00:00) as well as quoted "07:00"."""
    if isinstance(value, time):
        if value.second or value.microsecond:
            raise ValueError('times are whole minutes, e.g. "07:00"')
        return value.strftime("%H:%M")
    return value


Id = Annotated[
    str,
    Field(json_schema_extra={"pattern": ID_PATTERN}),
    _matches(ID_PATTERN, "use lower-case letters, digits, '-', '_' or '.', e.g. 'east-district'"),
]
Code = Annotated[
    str,
    Field(json_schema_extra={"pattern": CODE_PATTERN}),
    _matches(CODE_PATTERN, "shift codes are 1 to 8 letters or digits, e.g. 'N' or 'AL'"),
]
Clock = Annotated[
    str,
    BeforeValidator(_clock),
    Field(json_schema_extra={"pattern": CLOCK_PATTERN}),
    _matches(CLOCK_PATTERN, 'write a 24-hour time as "HH:MM", e.g. "07:00"'),
]


def _deliverable(value: str) -> str:
    """An address some mail relay can take (rotas.addresses): refused here, not at the 40th message sent."""
    problem = addresses.problem(value)
    if problem:
        raise ValueError(problem)
    return value


Email = Annotated[
    str,
    Field(json_schema_extra={"pattern": EMAIL_PATTERN}),
    _matches(EMAIL_PATTERN, "expected an email address such as 'name@example.org'"),
    AfterValidator(_deliverable),
]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class Strict(BaseModel):
    """Unknown keys refused, and every value within the edges in ``rotas.sane`` (no date in the year 9999,
    no control character in a name, no number past SQLite's), reported at its own key."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _within_edges(cls, value: Any, info: ValidationInfo) -> Any:
        # Free-text notes, and a cycle's days written over several lines, may break lines.
        return check_value(value, lines=info.field_name in ("notes", "days"))


# partnership.toml ---------------------------------------------------------------


class Coordinator(Strict):
    """The person who arranges meetings; the organiser of every invite Quorum sends."""

    name: Name
    email: Email


class Settings(Strict):
    """Partnership-wide rules for scheduling."""

    max_meetings_per_day: int = Field(3, ge=1, le=20, description="At most this many meetings per person per day.")
    time_grain_minutes: Literal[5, 10, 15, 20, 30, 60] = Field(15, description="Meetings start on this grain.")
    meeting_hours: tuple[Clock, Clock] = Field(
        ("08:00", "20:00"), description="Meetings, travel included, start and end inside these local hours."
    )
    case_reference_pattern: str = Field(
        r"^[A-Z]{2,4}-[0-9]{3,8}$",
        description="Regular expression every case reference must match (a code, never a name).",
    )
    rest_day_notice_days: int = Field(
        15, ge=0, le=90, description="Asking someone to work a rest day at less notice costs time and a half."
    )
    share_absence_reasons: list[str] = Field(
        default_factory=list,
        json_schema_extra={"items": {"enum": list(SHAREABLE_REASONS), "type": "string"}},
        description="Reasons for absence that attendees' copies (invites, team calendars, CalDAV, e-mail) may "
        f"name: any of {', '.join(SHAREABLE_REASONS)}. By default none: attendees read only that someone cannot "
        "come. Sickness is never shared.",
    )

    @field_validator("share_absence_reasons")
    @classmethod
    def _shareable(cls, kinds: list[str]) -> list[str]:
        for kind in kinds:
            if kind.lower() == "sickness":
                raise ValueError(
                    "sickness can never be shared with attendees: it is health data (special category under UK "
                    "GDPR); take 'sickness' out of share_absence_reasons"
                )
            if kind not in SHAREABLE_REASONS:
                raise ValueError(f"{kind!r} is not a reason kind (use any of: {', '.join(SHAREABLE_REASONS)})")
        return list(dict.fromkeys(kinds))

    @model_validator(mode="after")
    def _check(self) -> Settings:
        problem = pattern_problem(self.case_reference_pattern)
        if problem:
            raise ValueError(problem)
        if self.meeting_hours[0] >= self.meeting_hours[1]:
            raise ValueError('meeting_hours must start before they end, e.g. ["08:00", "20:00"]')
        return self


def settings_from(raw: Settings | Mapping[str, Any]) -> model.Settings:
    """Typed settings from partnership.toml's [settings] (checked here, defaults filled in) or a stored copy."""
    checked = raw if isinstance(raw, Settings) else Settings.model_validate(dict(raw))
    open_at, close_at = (time.fromisoformat(t) for t in checked.meeting_hours)
    return model.Settings(
        max_meetings_per_day=checked.max_meetings_per_day,
        time_grain_minutes=checked.time_grain_minutes,
        meeting_hours=(open_at, close_at),
        case_reference_pattern=checked.case_reference_pattern,
        rest_day_notice_days=checked.rest_day_notice_days,
        share_absence_reasons=tuple(checked.share_absence_reasons),
    )


class RoomEntry(Strict):
    """A meeting room at the hub; meetings at the hub get one big enough, never double-booked."""

    id: Id
    name: Name
    capacity: int = Field(ge=1, le=500)


class TermEntry(Strict):
    """A school term, both dates inclusive; term-time-only patterns work only inside terms."""

    name: str = ""
    start: date
    end: date


class PartnershipFile(Strict):
    """partnership.toml: who the partnership is and where it is."""

    id: Id | None = Field(None, description="Stable identifier; defaults to a slug of the name.")
    name: Name
    timezone: str = Field("Europe/London", description="IANA time zone the rotas are written in.")
    bank_holidays: str = Field(
        "GB-ENG", description="Bank-holiday region: 'GB-ENG' (England and Wales), 'GB-SCT', 'GB-NIR', or 'none'."
    )
    extra_bank_holidays: list[date] = Field(default_factory=list, description="Extra local days off, e.g. a one-off.")
    coordinator: Coordinator
    settings: Settings = Field(default_factory=Settings)
    terms: list[TermEntry] = Field(default_factory=list)
    rooms: list[RoomEntry] = Field(default_factory=list)


# agencies.toml ------------------------------------------------------------------


class ShiftEntry(Strict):
    """An on-duty shift (start and end) or a day-off code (off = true)."""

    label: str = ""
    start: Clock | None = None
    end: Clock | None = Field(None, description="At or before start means the shift ends the next day.")
    off: bool = Field(False, description="A day-off code such as a rest day or annual leave.")

    @model_validator(mode="after")
    def _on_or_off(self) -> ShiftEntry:
        if self.off and (self.start or self.end):
            raise ValueError("a shift is either off = true or has start and end, not both")
        if not self.off and not (self.start and self.end):
            raise ValueError('give both start and end (e.g. start = "22:00", end = "07:00"), or off = true')
        if self.start and self.start == self.end:
            raise ValueError("start and end are the same time; a shift lasts less than 24 hours")
        return self


AGENCY_KINDS = ("police", "social-work", "health", "education", "youth", "third-sector", "other")
AgencyKind = Literal["police", "social-work", "health", "education", "youth", "third-sector", "other"]


class AgencyEntry(Strict):
    id: Id
    name: Name
    kind: AgencyKind | None = Field(
        None,
        description="What sort of agency (meeting kinds require e.g. police and health); defaults to the id "
        "if that is a kind, else 'other'.",
    )
    shifts: dict[Code, ShiftEntry] = Field(default_factory=dict)


class AgenciesFile(Strict):
    """agencies.toml: the agencies and the shift codes each uses on its rotas."""

    agencies: list[AgencyEntry] = Field(min_length=1)


# teams.toml ---------------------------------------------------------------------


class TeamEntry(Strict):
    id: Id
    name: Name
    agency: Id
    pattern: Id | None = Field(None, description="The pattern its members work, from patterns.toml.")
    offset: int = Field(
        0, ge=0, le=10_000, description="Where the team starts in a cycle: on the anchor it works days[offset]."
    )
    hub_travel: int | None = Field(
        None,
        ge=0,
        le=240,
        description="Minutes its people need to reach the hub, each way: they must be on duty for it around a "
        "meeting at the hub. 0 if the team is based at the hub (co-located); by default the request's travel.",
    )


class TeamsFile(Strict):
    """teams.toml: teams (units, reliefs, district offices) and the pattern each works."""

    teams: list[TeamEntry] = Field(min_length=1)


# patterns.toml ------------------------------------------------------------------


class CycleEntry(Strict):
    """A rota that repeats: days is the cycle of shift codes, e.g. "E E L L N N R R R R"."""

    name: Id
    agency: Id
    anchor: date = Field(description="The date on which offset 0 works the first day of the cycle.")
    days: str | list[str] = Field(description="Shift codes, one per day, as a list or separated by spaces.")
    bank_holidays: Literal["work", "off"] = "work"

    def codes(self) -> list[str]:
        return self.days.split() if isinstance(self.days, str) else [d.strip() for d in self.days]


class WeeklyRuleEntry(Strict):
    """Work a shift on some days of the week, or on the dates of an RRULE."""

    shift: Code
    days: list[Weekday] | None = Field(None, description='Days of the week, e.g. ["MO", "TU"].')
    rrule: str | None = Field(None, description='An RFC 5545 rule, e.g. "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR".')

    @model_validator(mode="after")
    def _one_of(self) -> WeeklyRuleEntry:
        if (self.days is None) == (self.rrule is None):
            raise ValueError("give either days or rrule (one, not both)")
        if self.days is not None and not self.days:
            raise ValueError("days is empty")
        return self

    def as_rrule(self) -> str:
        if self.rrule is not None:
            return self.rrule
        return "FREQ=WEEKLY;BYDAY=" + ",".join(self.days or ())


class WeeklyEntry(Strict):
    """A calendar-week pattern: office hours, part-time, compressed hours, term time."""

    name: Id
    agency: Id
    anchor: date = Field(date(2024, 1, 1), description="Start of fortnightly and other rules (a Monday).")
    rules: list[WeeklyRuleEntry] = Field(min_length=1)
    bank_holidays: Literal["work", "off"] = "off"
    term_time_only: bool = False


class PatternsFile(Strict):
    """patterns.toml: the working patterns that teams and people follow."""

    cycles: list[CycleEntry] = Field(default_factory=list)
    weekly: list[WeeklyEntry] = Field(default_factory=list)


# people.toml --------------------------------------------------------------------


class PersonEntry(Strict):
    id: Id
    name: Name
    email: Email
    team: Id
    agency: Id | None = Field(None, description="Optional; must match the team's agency.")
    role: Name
    grade: str = ""
    pattern: Id | None = Field(None, description="Overrides the team's pattern.")
    offset: int | None = Field(None, ge=0, le=10_000, description="Overrides the team's offset in its cycle.")


class PeopleFile(Strict):
    """people.toml: every member of staff Quorum may invite (one team each)."""

    people: list[PersonEntry] = Field(min_length=1)


FILES: dict[str, type[Strict]] = {
    "partnership.toml": PartnershipFile,
    "agencies.toml": AgenciesFile,
    "teams.toml": TeamsFile,
    "patterns.toml": PatternsFile,
    "people.toml": PeopleFile,
}
