"""A what-if scenario checked against a partnership, and the partnership as the scenario would make it.

``load_scenario`` reads and checks the file (every problem, each with its line, "did you mean" for a
mistyped id); ``Scenario.apply`` is a pure function from the partnership as it is to the partnership as
it would be. Nothing here touches the partnership's files or the database: a scenario is a question,
not a change (docs/whatif.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from rotas.crosscheck import check_pattern_use, check_patterns, listed
from rotas.files import TOML_LIMIT, read_text, read_toml, record_errors, validate
from rotas.model import Agency, Partnership, Pattern, Person, Room, Shift
from rotas.problems import Problem, key_path
from rotas.sane import did_you_mean, shown
from rotas.scenario_file import ScenarioFile, located
from rotas.schema import PatternsFile


@dataclass(frozen=True)
class Scenario:
    """A checked scenario: ``doc`` as written, ``successors`` each leaver's named successor (or None)."""

    name: str
    description: str
    source: str
    doc: ScenarioFile
    successors: dict[str, str | None] = field(default_factory=dict)

    @property
    def leavers(self) -> list[str]:
        return [x.id for x in self.doc.leave]

    @property
    def joiners(self) -> list[str]:
        return [x.id for x in self.doc.join]

    def summary(self) -> list[str]:
        """The changes in a line each, for the comparison's heading and the report."""
        d = self.doc
        out = [f"new shift {s.code} ({s.label or s.code}) for {s.agency}" for s in d.shifts]
        out += [f"new pattern {x.name}" for x in d.cycles] + [f"new pattern {x.name}" for x in d.weekly]
        for t in d.teams:
            said = [f"pattern {t.pattern}" if t.pattern else "", f"offset {t.offset}" if t.offset is not None else ""]
            if t.hub_travel is not None:
                said.append("co-located at the hub" if t.hub_travel == 0 else f"{t.hub_travel} min to the hub")
            out.append(f"team {t.id}: " + ", ".join(x for x in said if x))
        for x in d.people:
            said = [f"team {x.team}" if x.team else "", f"pattern {x.pattern}" if x.pattern else ""]
            said.append(f"offset {x.offset}" if x.offset is not None else "")
            out.append(f"{x.id}: " + ", ".join(s for s in said if s))
        out += [f"new post {j.id} ({j.role}, {j.team})" for j in d.join]
        out += [f"{x.id} leaves" + (f" (cases to {x.successor})" if x.successor else "") for x in d.leave]
        out += [f"new room {r.id} ({r.capacity} places)" for r in d.rooms]
        return out

    def apply(self, p: Partnership) -> Partnership:
        """The partnership with the scenario's changes: teams, people, patterns, shift codes and rooms.

        Absences, duty-sheet rows and busy calendars of the people who stay are kept (leave is still leave);
        a leaver's go with them.
        """
        d = self.doc
        new_shifts: dict[str, dict[str, Shift]] = {}
        for s in d.shifts:
            new_shifts.setdefault(s.agency, {})[s.code] = _shift(s.code, s.label, s.start, s.end)
        agencies = tuple(
            replace(a, shifts={**a.shifts, **new_shifts[a.id]}) if a.id in new_shifts else a for a in p.agencies
        )
        patterns = _patterns(d, {a.id: a for a in agencies})
        team_changes = {t.id: t for t in d.teams}
        teams = []
        for t in p.teams:
            c = team_changes.get(t.id)
            if c is not None:
                t = replace(
                    t,
                    pattern=c.pattern or t.pattern,
                    offset=c.offset if c.offset is not None else (0 if c.pattern else t.offset),
                    hub_travel=c.hub_travel if c.hub_travel is not None else t.hub_travel,
                )
            teams.append(t)
        agency_of = {t.id: t.agency for t in teams}
        changes = {x.id: x for x in d.people}
        leaving = set(self.leavers)
        people = []
        for x in p.people:
            if x.id in leaving:
                continue
            change = changes.get(x.id)
            if change is not None:
                x = replace(
                    x,
                    team=change.team or x.team,
                    pattern=change.pattern or x.pattern,
                    offset=change.offset if change.offset is not None else (None if change.pattern else x.offset),
                )
            people.append(x)
        for j in d.join:
            email = j.email or f"{j.id}@new-post.invalid"
            people.append(Person(j.id, j.name, email, agency_of[j.team], j.team, j.role, j.grade, j.pattern, j.offset))
        return replace(
            p,
            agencies=agencies,
            teams=tuple(teams),
            people=tuple(people),
            patterns=(*p.patterns, *patterns.values()),
            absences=tuple(a for a in p.absences if a.person not in leaving),
            overrides=tuple(o for o in p.overrides if o.person not in leaving),
            busy_calendars=tuple(b for b in p.busy_calendars if b[0] not in leaving),
            rooms=(*p.rooms, *(Room(r.id, r.name, r.capacity) for r in d.rooms)),
        )


def _shift(code: str, label: str, start: str | None, end: str | None) -> Shift:
    from datetime import time

    def clock(text: str | None) -> time | None:
        return time.fromisoformat(text) if text else None

    return Shift(code, label or code, clock(start), clock(end))


def _patterns(
    d: ScenarioFile, agencies: dict[str, Agency], problems: list[Problem] | None = None
) -> dict[str, Pattern]:
    """The scenario's own patterns, checked like patterns.toml's (problems relabelled by the caller)."""
    doc = PatternsFile.model_construct(cycles=d.cycles, weekly=d.weekly)
    return check_patterns(doc, agencies, set(agencies), set(), problems if problems is not None else [])


def load_scenario(path: Path, p: Partnership) -> tuple[Scenario | None, list[Problem]]:
    """The scenario at ``path`` checked against ``p``; None with every problem (each with its line) if any."""
    rel = str(path)
    problems: list[Problem] = []
    if not path.is_file():
        return None, [Problem(rel, "no such file (give the path of a scenario .toml file)")]
    data = read_toml(path, rel, problems)
    if data is None:
        return None, problems
    text = read_text(path, rel, [], TOML_LIMIT) or ""
    doc = _validated(data, rel, problems)
    if doc is not None:
        check(doc, p, problems)
    problems = sorted(located(problems, text, rel), key=lambda x: x.line or 0)
    if problems or doc is None:
        return None, problems
    return Scenario(doc.name, doc.description, rel, doc, {x.id: x.successor for x in doc.leave}), []


def _validated(data: dict[str, Any], rel: str, problems: list[Problem]) -> ScenarioFile | None:
    """The file's shape, entry by entry: a bad entry is reported and left out, so it hides nothing else
    (the entries that are well formed are still checked against the partnership)."""
    lists = {k for k, f in ScenarioFile.model_fields.items() if k not in ("name", "description")}
    head = validate(ScenarioFile, {k: v for k, v in data.items() if k not in lists}, rel, problems)
    entries: dict[str, list[BaseModel]] = {}
    for key in lists:
        value = data.get(key, [])
        if not isinstance(value, list):
            problems.append(Problem(rel, f"expected [[{key}]] entries", key=key))
            continue
        model = get_args(ScenarioFile.model_fields[key].annotation)[0]  # list[X]: X
        entries[key] = []
        for i, item in enumerate(value):
            try:
                entries[key].append(model.model_validate(item))
            except ValidationError as exc:
                record_errors(exc, rel, problems, (key, i))
    if head is None:
        return None
    return head.model_copy(update=entries)  # the entries already checked: not validated again


def check(d: ScenarioFile, p: Partnership, problems: list[Problem]) -> None:
    """Every reference in the scenario against the partnership (and the scenario's own additions)."""

    def problem(key: str, message: str) -> None:
        problems.append(Problem("", message, key=key))

    if not d.changes():
        problem("name", "the scenario lists no changes: give [[teams]], [[people]], [[join]], [[leave]] or [[rooms]]")
    agencies = {a.id: a for a in p.agencies}
    added: dict[str, dict[str, Shift]] = {}
    for i, s in enumerate(d.shifts):
        where = key_path("shifts", i)
        if s.agency not in agencies:
            problem(f"{where}.agency", f"unknown agency {shown(s.agency)}{did_you_mean(s.agency, agencies)}")
        elif s.code in agencies[s.agency].shifts or s.code in added.get(s.agency, {}):
            problem(f"{where}.code", f"agency {s.agency!r} already has a shift {s.code!r}: choose another code")
        else:
            added.setdefault(s.agency, {})[s.code] = _shift(s.code, s.label, s.start, s.end)
    with_new = {a: replace(x, shifts={**x.shifts, **added.get(a, {})}) for a, x in agencies.items()}
    found: list[Problem] = []
    own = _patterns(d, with_new, found)
    problems.extend(replace(x, file="") for x in found)
    for kind, names in (("cycles", [x.name for x in d.cycles]), ("weekly", [x.name for x in d.weekly])):
        for i, new in enumerate(names):
            if any(q.name == new for q in p.patterns):
                problem(f"{kind}[{i}].name", f"pattern {new!r} is already in patterns.toml: give the new one a name")
    patterns: dict[str, Pattern] = {**{q.name: q for q in p.patterns}, **own}
    teams = {t.id: t for t in p.teams}
    seen_teams: set[str] = set()
    for i, t in enumerate(d.teams):
        where = key_path("teams", i)
        if t.id not in teams:
            problem(f"{where}.id", f"unknown team {shown(t.id)} (teams: {listed(teams)}){did_you_mean(t.id, teams)}")
            continue
        if t.id in seen_teams:
            problem(f"{where}.id", f"team {t.id!r} is changed twice: put its changes in one [[teams]] entry")
        seen_teams.add(t.id)
        name = t.pattern or teams[t.id].pattern
        if name is None:
            if t.offset is not None:
                problem(f"{where}.offset", "offset given but the team has no pattern")
            continue
        check_pattern_use("", where, name, teams[t.id].agency, t.offset, patterns, set(patterns), problems)
    team_pattern = {
        t.id: (c.pattern if (c := next((x for x in d.teams if x.id == t.id), None)) else None) or t.pattern
        for t in p.teams
    }
    people = {x.id: x for x in p.people}
    leaving: dict[str, int] = {}
    for i, x in enumerate(d.leave):
        where = key_path("leave", i)
        if x.id not in people:
            problem(f"{where}.id", f"no person {shown(x.id)} in people.toml{did_you_mean(x.id, people)}")
        elif x.id in leaving:
            problem(f"{where}.id", f"{x.id!r} already leaves in an entry above: a person leaves once")
        else:
            leaving[x.id] = i
    joiners = {j.id: j for j in d.join}
    for i, x in enumerate(d.leave):
        if x.successor is None or x.id not in people:
            continue
        where = f"{key_path('leave', i)}.successor"
        other = people.get(x.successor)
        agency = (
            other.agency
            if other
            else (teams[j.team].agency if (j := joiners.get(x.successor)) and j.team in teams else None)
        )
        if other is None and x.successor not in joiners:
            problem(where, f"no person {shown(x.successor)}{did_you_mean(x.successor, [*people, *joiners])}")
        elif x.successor in leaving:
            problem(where, f"{x.successor!r} leaves too: choose someone who stays")
        elif agency is not None and agency != people[x.id].agency:
            problem(
                where,
                f"{x.successor!r} is in {agency!r}, {x.id!r} in {people[x.id].agency!r}: cases stay in their agency",
            )
    changed: set[str] = set()
    for i, change in enumerate(d.people):
        where = key_path("people", i)
        if change.id not in people:
            hint = " (a new post goes in [[join]])" if change.id in joiners else did_you_mean(change.id, people)
            problem(f"{where}.id", f"no person {shown(change.id)} in people.toml{hint}")
            continue
        if change.id in changed:
            problem(f"{where}.id", f"{change.id!r} is changed twice: put their changes in one [[people]] entry")
        if change.id in leaving:
            problem(f"{where}.id", f"{change.id!r} also leaves in [[leave]]: change them or let them leave, not both")
        changed.add(change.id)
        agency = people[change.id].agency
        team_id = change.team or people[change.id].team
        if change.team is not None:
            if change.team not in teams:
                problem(f"{where}.team", f"unknown team {shown(change.team)}{did_you_mean(change.team, teams)}")
                continue
            if teams[change.team].agency != agency:
                problem(
                    f"{where}.team",
                    f"team {change.team!r} is in {teams[change.team].agency!r}, not {agency!r}: for a "
                    "move to another agency, let them leave and add the new post in [[join]]",
                )
                continue
        name = change.pattern or people[change.id].pattern or team_pattern.get(team_id)
        if name is None:
            if change.offset is not None:
                problem(f"{where}.offset", "offset given but neither the person nor their team has a pattern")
            continue
        check_pattern_use("", where, name, agency, change.offset, patterns, set(patterns), problems)
    for i, j in enumerate(d.join):
        where = key_path("join", i)
        if j.id in people or list(joiners).index(j.id) != i:
            problem(f"{where}.id", f"{j.id!r} is already someone's id: give the new post its own")
        if j.team not in teams:
            problem(f"{where}.team", f"unknown team {shown(j.team)}{did_you_mean(j.team, teams)}")
            continue
        name = j.pattern or team_pattern.get(j.team)
        if name is not None:
            check_pattern_use("", where, name, teams[j.team].agency, j.offset, patterns, set(patterns), problems)
    rooms = {r.id for r in p.rooms}
    for i, r in enumerate(d.rooms):
        if r.id in rooms:
            problem(f"rooms[{i}].id", f"room {r.id!r} is already in partnership.toml (or above): give it its own id")
        rooms.add(r.id)
