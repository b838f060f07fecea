"""The what-if scenario file's shape (pydantic), and finding the line each problem is on.

A scenario lists changes to a partnership (docs/whatif.md); ``rotas.scenario`` checks them against the
partnership and applies them. The entries reuse the partnership files' own models where they mean the
same thing (a cycle, a weekly pattern, a room), so a pattern is written and checked the same way in both.
"""

from __future__ import annotations

import re
from dataclasses import replace

from pydantic import Field, model_validator

from rotas.problems import Problem
from rotas.schema import Code, CycleEntry, Email, Id, Name, RoomEntry, ShiftEntry, Strict, WeeklyEntry


class ShiftAdd(ShiftEntry):
    """A new shift code for an agency, e.g. a social-work late duty 12:00-20:00."""

    agency: Id
    code: Code


class TeamChange(Strict):
    """A team's new pattern, offset in its cycle, or travel to the hub (0: co-located)."""

    id: Id
    pattern: Id | None = None
    offset: int | None = Field(None, ge=0, le=10_000)
    hub_travel: int | None = Field(None, ge=0, le=240, description="Minutes to the hub each way; 0: co-located.")

    @model_validator(mode="after")
    def _changes_something(self) -> TeamChange:
        if self.pattern is None and self.offset is None and self.hub_travel is None:
            raise ValueError("give what changes: pattern, offset or hub_travel")
        return self


class PersonChange(Strict):
    """A person's new team (in the same agency), pattern (part-time, compressed hours) or offset."""

    id: Id
    team: Id | None = None
    pattern: Id | None = None
    offset: int | None = Field(None, ge=0, le=10_000)

    @model_validator(mode="after")
    def _changes_something(self) -> PersonChange:
        if self.team is None and self.pattern is None and self.offset is None:
            raise ValueError("give what changes: team, pattern or offset")
        return self


class Joiner(Strict):
    """A new post: someone who is not in people.toml yet."""

    id: Id
    name: Name
    team: Id
    role: Name
    grade: str = ""
    email: Email | None = None
    pattern: Id | None = None
    offset: int | None = Field(None, ge=0, le=10_000)


class Leaver(Strict):
    """Someone leaving; their cases go to ``successor`` if given, else to the colleague Quorum suggests."""

    id: Id
    successor: Id | None = None


class ScenarioFile(Strict):
    """A what-if scenario: what changes, never the partnership's own files."""

    name: Name
    description: str = Field("", max_length=2000)
    shifts: list[ShiftAdd] = Field(default_factory=list)
    cycles: list[CycleEntry] = Field(default_factory=list)
    weekly: list[WeeklyEntry] = Field(default_factory=list)
    teams: list[TeamChange] = Field(default_factory=list)
    people: list[PersonChange] = Field(default_factory=list)
    join: list[Joiner] = Field(default_factory=list)
    leave: list[Leaver] = Field(default_factory=list)
    rooms: list[RoomEntry] = Field(default_factory=list)

    def changes(self) -> int:
        return sum(len(x) for x in (self.teams, self.people, self.join, self.leave, self.rooms))


_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z_][\w-]*)\s*\]\]")
_TABLE = re.compile(r"^\s*\[")
_SEGMENT = re.compile(r"([A-Za-z_][\w-]*)(?:\[(\d+)\])?")


def line_of(text: str, key: str | None) -> int | None:
    """The line ``key`` (``teams[1].pattern``, ``name``) is written on: the key's own line inside its
    [[...]] entry, else the entry's header; None when the file does not show it."""
    if not key:
        return None
    lines = text.splitlines()
    parts = [m for m in (_SEGMENT.fullmatch(s) for s in key.split(".")) if m]
    if not parts:
        return None
    first = parts[0]
    if first[2] is None:  # a key at the top of the file
        for number, line in enumerate(lines, 1):
            if _TABLE.match(line):
                break
            if re.match(rf"^\s*{re.escape(first[1])}\s*=", line):
                return number
        return None
    headers = [n for n, line in enumerate(lines, 1) if (h := _HEADER.match(line)) and h[1] == first[1]]
    index = int(first[2])
    if index >= len(headers):
        return None
    start = headers[index]
    if len(parts) > 1:
        for number in range(start + 1, len(lines) + 1):
            line = lines[number - 1]
            if _TABLE.match(line):
                break
            if re.match(rf"^\s*{re.escape(parts[1][1])}\s*=", line):
                return number
    return start


def located(problems: list[Problem], text: str, file: str) -> list[Problem]:
    """Each problem with its file and, where the file shows it, its line; the key is said in words
    (``[[teams]] pattern``) since a line number is how a coordinator finds it, not an index from zero."""
    out = []
    for p in problems:
        line = p.line if p.line is not None else line_of(text, p.key)
        message = p.message
        if p.key:
            parts = [m for m in (_SEGMENT.fullmatch(s) for s in p.key.split(".")) if m]
            where = f"[[{parts[0][1]}]]" if parts and parts[0][2] is not None else (parts[0][1] if parts else "")
            field = parts[1][1] if len(parts) > 1 else ""
            message = f"{where} {field}: {message}" if field else f"{where}: {message}"
        out.append(replace(p, file=file, message=message, line=line, key=p.key if line is None else None))
    return out
