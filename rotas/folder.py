"""Load a partnership folder: every file checked, every problem reported, or a Partnership.

The folder layout (see docs/partnership-format.md):

    partnership.toml   agencies.toml   teams.toml   patterns.toml   people.toml
    requests.toml      (optional; read by the scheduler)
    absences.csv       (optional)      duty-sheet*.csv (optional)
    busy/<person-id>.ics (optional)

Problems are collected across all files so a coordinator fixes everything in
one pass; a Partnership is returned only when there are none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rotas import busy
from rotas.bankholidays import check_region
from rotas.clock import zone
from rotas.crosscheck import check_pattern_use, check_patterns, check_people, listed
from rotas.csvfiles import read_absences, read_duty_sheet
from rotas.files import DATA_LIMIT, read_text, read_toml, validate, validate_lists
from rotas.model import (
    Absence,
    Agency,
    DutyOverride,
    Partnership,
    Pattern,
    Person,
    Room,
    Shift,
    Team,
    Term,
)
from rotas.problems import Problem, key_path, key_words
from rotas.schema import (
    AGENCY_KINDS,
    FILES,
    AgenciesFile,
    PartnershipFile,
    PatternsFile,
    PeopleFile,
    TeamsFile,
    settings_from,
)

OPTIONAL_TOML = ("requests.toml",)


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64] or "partnership"


def _duplicates(ids: Iterable[tuple[int, str]], rel: str, what: str, list_key: str, problems: list[Problem]) -> None:
    first: dict[str, int] = {}
    for index, value in ids:
        if value in first:
            problems.append(
                Problem(
                    rel,
                    f"{what} {value!r} is already defined at {key_words(f'{list_key}[{first[value]}]')}",
                    key=key_path(list_key, index, "id" if what != "pattern" else "name"),
                )
            )
        else:
            first[value] = index


def unexpected_files(folder: Path) -> list[Problem]:
    known = set(FILES) | set(OPTIONAL_TOML) | {"absences.csv"}
    out = []
    for path in sorted(folder.iterdir()):
        name = path.name
        duty_sheet = name.startswith("duty-sheet") and name.endswith(".csv")
        if path.is_file() and path.suffix in {".toml", ".csv"} and name not in known and not duty_sheet:
            out.append(
                Problem(
                    name,
                    "unexpected file: Quorum reads "
                    + ", ".join(sorted(known))
                    + " and duty-sheet*.csv (check the name)",
                )
            )
    return out


@dataclass
class FolderRead:
    """A folder as far as it could be read: the Partnership is built from whatever checked out, so other
    files (requests.toml) can still be checked against it while some of its files have problems."""

    partnership: Partnership | None  # None when partnership.toml or its time zone could not be read
    problems: list[Problem]
    broken: set[str]  # ids and names of entries with problems: references to them are not "unknown"
    whole: bool  # every file parsed (a name missing from the partnership is then really missing)


def load_folder(folder: str | Path) -> tuple[Partnership | None, list[Problem]]:
    """Read and check a partnership folder; the Partnership is None whenever problems exist."""
    read = read_folder(folder)
    if read.problems:
        return None, read.problems
    return read.partnership, []


def read_folder(folder: str | Path) -> FolderRead:
    """Read and check a partnership folder, keeping what checked out beside the problems."""
    root = Path(folder)
    if not root.is_dir():
        return FolderRead(
            None, [Problem(str(folder), "not a folder (give the folder that holds partnership.toml)")], set(), False
        )
    problems: list[Problem] = unexpected_files(root)
    docs: dict[str, Any] = {}
    broken: dict[str, set[str]] = {name: set() for name in FILES}
    for name, model in FILES.items():
        path = root / name
        if not path.exists():
            problems.append(Problem(name, "missing required file"))
            continue
        data = read_toml(path, name, problems)
        if data is None:
            continue
        if model is PartnershipFile:
            docs[name] = validate(model, data, name, problems)
        else:
            docs[name], broken[name] = validate_lists(model, data, name, problems)

    part: PartnershipFile | None = docs.get("partnership.toml")
    agencies_doc: AgenciesFile | None = docs.get("agencies.toml")
    teams_doc: TeamsFile | None = docs.get("teams.toml")
    patterns_doc: PatternsFile | None = docs.get("patterns.toml")
    people_doc: PeopleFile | None = docs.get("people.toml")

    tz = None
    if part is not None:
        try:
            tz = zone(part.timezone)
        except ValueError as exc:
            problems.append(Problem("partnership.toml", str(exc), key="timezone"))
        if (why := check_region(part.bank_holidays)) is not None:
            problems.append(Problem("partnership.toml", why, key="bank_holidays"))
        seen_rooms: dict[str, int] = {}
        for i, room in enumerate(part.rooms):
            if room.id in seen_rooms:
                problems.append(
                    Problem(
                        "partnership.toml",
                        f"room {room.id!r} is already defined at {key_words(f'rooms[{seen_rooms[room.id]}]')}",
                        key=key_path("rooms", i, "id"),
                    )
                )
            seen_rooms.setdefault(room.id, i)
        for i, term in enumerate(part.terms):
            if term.end < term.start:
                problems.append(
                    Problem(
                        "partnership.toml",
                        f"end {term.end} is before start {term.start}",
                        key=key_path("terms", i, "end"),
                    )
                )

    agencies: dict[str, Agency] = {}
    if agencies_doc is not None:
        _duplicates(
            ((i, a.id) for i, a in enumerate(agencies_doc.agencies) if a),
            "agencies.toml",
            "agency",
            "agencies",
            problems,
        )
        for a in filter(None, agencies_doc.agencies):
            shifts = {
                code: Shift(code, s.label or code, _time(s.start) if s.start else None, _time(s.end) if s.end else None)
                for code, s in a.shifts.items()
            }
            kind = a.kind or (a.id if a.id in AGENCY_KINDS else "other")
            agencies.setdefault(a.id, Agency(a.id, a.name, shifts, kind))

    # Names of entries that failed validation: reported once, never again as "unknown".
    known_agencies = set(agencies) | broken["agencies.toml"] if agencies_doc is not None else None
    patterns: dict[str, Pattern] = {}
    if patterns_doc is not None:
        patterns = check_patterns(patterns_doc, agencies, known_agencies, broken["agencies.toml"], problems)
    known_patterns = set(patterns) | broken["patterns.toml"] if patterns_doc is not None else None

    teams: dict[str, Team] = {}
    if teams_doc is not None:
        _duplicates(((i, t.id) for i, t in enumerate(teams_doc.teams) if t), "teams.toml", "team", "teams", problems)
        for i, t in enumerate(teams_doc.teams):
            if t is None:
                continue
            where = key_path("teams", i)
            if known_agencies is not None and t.agency not in known_agencies:
                problems.append(
                    Problem(
                        "teams.toml",
                        f"unknown agency {t.agency!r} (agencies.toml defines {listed(agencies, t.agency)})",
                        key=f"{where}.agency",
                    )
                )
            if t.pattern is not None:
                check_pattern_use(
                    "teams.toml", where, t.pattern, t.agency, t.offset, patterns, known_patterns, problems
                )
            teams.setdefault(t.id, Team(t.id, t.name, t.agency, t.pattern, t.offset, t.hub_travel))

    known_teams = set(teams) | broken["teams.toml"] if teams_doc is not None else None
    people: dict[str, Person] = {}
    if people_doc is not None:
        check_people(people_doc, teams, patterns, known_teams, known_patterns, people, problems)
        # A person whose entry has a problem (an unknown team, say) is in people.toml all the same: the
        # absences, duty sheets and requests naming them are not told "unknown person" as well.
        broken["people.toml"].update(x.id for x in people_doc.people if x is not None and x.id not in people)

    # With a bad time zone, still check the data files (read in UTC), and with people.toml unreadable,
    # everything in them but the names (which cannot be known): every problem listed in one run.
    absences, overrides, calendars = _read_data_files(
        root,
        tz or ZoneInfo("UTC"),
        people if people_doc is not None else None,
        broken["people.toml"],
        agencies,
        problems,
    )

    all_broken = set().union(*broken.values())
    if part is None or tz is None:
        return FolderRead(None, _by_file(problems), all_broken, False)
    terms = tuple(Term(t.name or f"term {i + 1}", t.start, t.end) for i, t in enumerate(part.terms))
    partnership = Partnership(
        id=part.id or slug(part.name),
        name=part.name,
        timezone=part.timezone,
        bank_holidays=part.bank_holidays,
        coordinator_name=part.coordinator.name,
        coordinator_email=part.coordinator.email,
        agencies=tuple(agencies.values()),
        teams=tuple(teams.values()),
        people=tuple(people.values()),
        patterns=tuple(patterns.values()),
        terms=terms,
        extra_bank_holidays=tuple(part.extra_bank_holidays),
        absences=tuple(absences),
        overrides=tuple(overrides),
        busy_calendars=tuple(calendars),
        settings=settings_from(part.settings),
        rooms=tuple(Room(r.id, r.name, r.capacity) for r in part.rooms),
    )
    whole = all(docs.get(name) is not None for name in FILES)
    return FolderRead(partnership, _by_file(problems), all_broken, whole)


def _by_file(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file in reading order (stable within a file)."""
    order = {
        name: i
        for i, name in enumerate(["partnership.toml", "agencies.toml", "teams.toml", "patterns.toml", "people.toml"])
    }
    return sorted(problems, key=lambda p: (order.get(p.file, len(order)), p.file not in order and p.file))


class _AnyCode(set[str]):
    """Every shift code, for a person whose agency cannot be known (people.toml could not be read)."""

    def __contains__(self, code: object) -> bool:
        return True


def _read_data_files(
    root: Path,
    tz: ZoneInfo,
    people: dict[str, Person] | None,
    broken_people: set[str],
    agencies: dict[str, Agency],
    problems: list[Problem],
) -> tuple[list[Absence], list[DutyOverride], list[tuple[str, str]]]:
    """Absences, duty sheets and busy calendars; rows naming a broken person are passed over. ``people``
    None: people.toml could not be read, so names are not checked (everything else is)."""
    known_people = people or {}
    absences: list[Absence] = []
    path = root / "absences.csv"
    if path.exists():
        text = read_text(path, "absences.csv", problems, DATA_LIMIT)
        if text is not None:
            absences = read_absences(
                text,
                "absences.csv",
                tz,
                lambda x: people is None or x in known_people or x in broken_people,
                problems,
                sorted(known_people),
            )
            absences = [a for a in absences if a.person in known_people]

    def codes_for(person_id: str) -> set[str] | None:
        if people is None:
            return _AnyCode()
        person = people.get(person_id)
        if person is None:
            return None if person_id not in broken_people else _AnyCode()
        agency = agencies.get(person.agency)
        return set(agency.shifts) if agency else _AnyCode()

    overrides: list[DutyOverride] = []
    seen: dict[tuple[str, date], str] = {}
    for path in sorted(root.glob("duty-sheet*.csv")):
        text = read_text(path, path.name, problems, DATA_LIMIT)
        if text is None:
            continue
        for row in read_duty_sheet(text, path.name, codes_for, problems, sorted(known_people)):
            other = seen.get((row.person, row.date))
            if other is not None:
                problems.append(
                    Problem(
                        path.name,
                        f"{row.person} on {row.date} is also in {other}",
                        line=int(row.source.rsplit(":", 1)[1]),
                    )
                )
            seen[(row.person, row.date)] = row.source
            overrides.append(row)

    calendars: list[tuple[str, str]] = []
    busy_dir = root / "busy"
    if busy_dir.is_dir():
        for path in sorted(busy_dir.iterdir()):
            rel = f"busy/{path.name}"
            if path.suffix.lower() != ".ics" or path.is_dir():
                continue
            if path.stem in broken_people:
                continue
            if people is not None and path.stem not in people:
                problems.append(
                    Problem(
                        rel,
                        f"no person with id {path.stem!r}: name each busy calendar after a "
                        "person's id, e.g. busy/dc-patel.ics",
                    )
                )
                continue
            text = read_text(path, rel, problems, DATA_LIMIT)
            if text is None:
                continue
            why = busy.check(text, tz)
            if why is not None:
                problems.append(Problem(rel, str(why), line=why.line))
                continue
            calendars.append((path.stem, busy.sanitise(text)))
    return absences, overrides, calendars
