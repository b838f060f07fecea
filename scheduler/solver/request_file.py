"""The requests.toml format: each entry's keys and types (pydantic), and the presets of each kind of meeting.

Only the shape of an entry is checked here; what it means against a partnership is ``solver.requests``.
The JSON Schema in docs/schema/requests.schema.json is written from these models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, PlainSerializer, PlainValidator, WithJsonSchema, model_validator

from rotas.schema import Id, Strict

Urgency = Literal["urgent", "normal"]
Kind = Literal[
    "strategy-discussion",
    "initial-conference",
    "core-group",
    "review-conference",
    "professionals-meeting",
    "joint-visit",
    "daily-high-risk",
    "custom",
]


@dataclass(frozen=True)
class Preset:
    """Defaults a kind brings (DOMAIN.md's table), each overridable per request."""

    label: str
    duration: int
    required_kinds: tuple[str, ...]
    urgency: Urgency
    venue: str
    travel: int
    deadline_working_days: int | None  # window end: this many working days after its reference date


PRESETS: dict[str, Preset] = {
    "strategy-discussion": Preset(
        "Strategy discussion", 60, ("social-work", "police", "health"), "urgent", "virtual", 0, 1
    ),
    "initial-conference": Preset(
        "Initial child protection conference", 90, ("social-work", "police", "health"), "normal", "hub", 0, 15
    ),
    "core-group": Preset("Core group", 60, ("social-work",), "normal", "hub", 0, 10),
    "review-conference": Preset(
        "Review child protection conference", 90, ("social-work", "police", "health"), "normal", "hub", 0, 65
    ),
    "professionals-meeting": Preset("Professionals' meeting", 60, (), "normal", "virtual", 0, None),
    "joint-visit": Preset("Joint visit", 90, ("police", "social-work"), "urgent", "family home", 30, 2),
    "daily-high-risk": Preset(
        "Daily high-risk partnership meeting", 30, ("police", "social-work", "health"), "normal", "hub", 0, 0
    ),
    "custom": Preset("Meeting", 60, (), "normal", "virtual", 0, None),
}

VIRTUAL = "virtual"
HUB = "hub"


def _day_or_moment(value: Any) -> date | datetime:
    """Keep a date a date and a date-time a date-time, also when read back from JSON text."""
    if isinstance(value, date):  # datetime is a date too: both kept as they are
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromisoformat(text) if ("T" in text or " " in text) else date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date (2026-03-24) or local date-time (2026-03-24T10:00)")


DayOrMoment = Annotated[
    date | datetime,
    PlainValidator(_day_or_moment),
    PlainSerializer(lambda v: v.isoformat(), return_type=str),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}),
]


class InviteEntry(Strict):
    """A named invitee."""

    person: Id
    required: bool = True


class SlotEntry(Strict):
    """A role slot: the solver picks whoever fits best from the people matching every filter given."""

    team: Id | None = None
    agency: Id | None = None
    role: str | None = Field(None, description='Matches people.toml\'s role, e.g. "Health visitor".')
    label: str = Field("", max_length=120, description='How the slot reads, e.g. "East district social worker".')
    count: int = Field(1, ge=1, le=10)
    prefer: list[Id] = Field(default_factory=list, description="People to prefer (continuity with the case).")

    @model_validator(mode="after")
    def _some_filter(self) -> SlotEntry:
        if not (self.team or self.agency or self.role):
            raise ValueError("a slot needs at least one of team, agency or role")
        return self


class WithinEntry(Strict):
    """A deadline relative to a date or to another request's meeting."""

    working_days: int | None = Field(None, ge=0, le=260)
    days: int | None = Field(None, ge=0, le=366, description="Calendar days, for rules such as 3 months.")
    of_date: date | None = None
    of_request: Id | None = None

    @model_validator(mode="after")
    def _one_each(self) -> WithinEntry:
        if self.working_days is not None and self.days is not None:
            raise ValueError("give working_days or days, not both")
        if (self.of_date is None) == (self.of_request is None):
            raise ValueError("give exactly one of of_date or of_request")
        return self


class RequestEntry(Strict):
    """One [[requests]] entry."""

    id: Id
    kind: Kind = Field(description="Meeting kind (sets default length, required agencies, deadline).")
    case: str = Field(min_length=1, max_length=40, description="Case reference: a code, never a name.")
    urgency: Urgency | None = Field(None, description="urgent or normal; defaults to the kind's.")
    duration: int | None = Field(None, ge=5, le=480, description="Minutes; defaults to the kind's.")
    earliest: DayOrMoment | None = Field(None, description="A date, or a local date-time.")
    latest: DayOrMoment | None = Field(
        None, description="A date (whole day) or local date-time the meeting must end by."
    )
    within: WithinEntry | None = None
    venue: str | None = Field(None, max_length=80, description="'virtual', 'hub', or a place such as 'family home'.")
    travel: int | None = Field(None, ge=0, le=240, description="Minutes of travel before and after.")
    room: Id | None = Field(None, description="A hub room from partnership.toml.")
    allow_off_duty: bool = Field(False, description="May people be asked to attend off duty (at a cost)?")
    fixed: DayOrMoment | None = Field(None, description="A locked local start time, e.g. 2026-03-24T10:00.")
    invite: list[InviteEntry] = Field(default_factory=list)
    slots: list[SlotEntry] = Field(default_factory=list)
    notes: str = Field("", max_length=4000, description="Free text for the coordinator; never leaves the database.")


class RequestsFile(Strict):
    """requests.toml: the meetings and joint visits to arrange."""

    requests: list[RequestEntry] = Field(default_factory=list)


def entry_json(entry: RequestEntry) -> dict[str, Any]:
    """An entry as the store keeps it (and requests.toml would write it): the keys given, defaults left out."""
    return entry.model_dump(mode="json", exclude_defaults=True)


def stored_entries(rows: list[dict[str, Any]]) -> dict[str, RequestEntry]:
    """The store's request rows as typed entries, by id (every stored spec was checked when saved; one an
    older Quorum wrote that no longer reads is left out here and reported where requests are resolved)."""
    out: dict[str, RequestEntry] = {}
    for row in rows:
        try:
            out[row["id"]] = RequestEntry.model_validate(row["spec"])
        except ValueError:
            continue
    return out
