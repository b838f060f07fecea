"""The operations Quorum offers, shared by the CLI and the UI.

Each function takes plain arguments and returns data; printing, exit codes and
widgets belong to the faces that call them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from rotas.availability import absences_between, availability
from rotas.clock import day_span, to_utc, zone
from rotas.files import read_toml, validate_lists, with_entry_lines
from rotas.folder import read_folder
from rotas.intervals import Interval
from rotas.model import Absence, Partnership, Person
from rotas.overlap import OverlapReport, overlap
from rotas.problems import Problem, capped
from rotas.roster import roster
from rotas.sane import did_you_mean, shown
from scheduler.errors import UserError
from scheduler.solver.request_file import RequestsFile, entry_json
from scheduler.solver.requests import Request, check_requests
from scheduler.store.database import Store

MAX_DAYS = 366


@dataclass(frozen=True)
class LoadSummary:
    partnership: str
    name: str
    agencies: int
    teams: int
    people: int
    requests: int
    absences: int
    duty_sheet_rows: int
    busy_calendars: int

    def line(self) -> str:
        return (
            f"Loaded {self.name} ({self.partnership}): {self.agencies} agencies, {self.teams} teams, "
            f"{self.people} people, {_count(self.requests, 'request')} ({_count(self.absences, 'absence')}, "
            f"{_count(self.duty_sheet_rows, 'duty-sheet row')}, {_count(self.busy_calendars, 'busy calendar')})"
        )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def read_requests(
    folder: Path,
    partnership: Partnership | None,
    problems: list[Problem],
    broken: set[str] | None = None,
    names_known: bool = True,
) -> list[Request]:
    """Requests in requests.toml, checked against the partnership. While other files have problems,
    ``partnership`` is what of it checked out: a reference to an entry with a problem of its own (in
    ``broken``) is not reported again as unknown, and none is when a file could not be read at all
    (``names_known`` false: whose names they would be is not known)."""
    path = folder / "requests.toml"
    if not path.exists():
        return []
    data = read_toml(path, "requests.toml", problems)
    if data is None:
        return []
    doc, _ = validate_lists(RequestsFile, data, "requests.toml", problems)
    if partnership is None or doc is None:
        return []
    found: list[Problem] = []
    requests = check_requests(doc.requests, partnership, "requests.toml", found)
    unsure = broken or set()

    def uncertain(x: Problem) -> bool:
        """A name not found, or a slot with too few people, said of a partnership only partly read."""
        if names_known and not unsure:
            return False
        if not names_known:
            return x.message.startswith(("unknown ", "only "))
        return x.message.startswith("only ") or (
            x.message.startswith("unknown ") and any(f"'{b}'" in x.message for b in unsure)
        )

    problems += [x for x in found if not uncertain(x)]
    return requests


def check_folder(folder: str | Path) -> tuple[Partnership | None, list[Problem], list[Request]]:
    """Everything wrong with a partnership folder (empty when it can be loaded), and its requests.

    A mistake in one file does not hide another's: requests.toml is checked against what of the
    partnership checked out, as long as every file could be parsed (a name missing from an unreadable
    file would only be a guess)."""
    root = Path(folder)
    read = read_folder(root)
    problems = list(read.problems)
    requests: list[Request] = []
    if root.is_dir():
        requests = read_requests(root, read.partnership, problems, read.broken, read.whole or not problems)
        problems = with_entry_lines(problems, root)
    return (read.partnership if not problems else None), capped(problems), requests


def past_requests(p: Partnership, requests: list[Request], now: datetime) -> list[str]:
    """Warnings for requests whose window (or fixed time) is wholly before ``now``: they will not be placed.

    Not problems: a folder kept from last month still loads, and its past requests say why they wait.
    """
    from scheduler.services.requests import window_passed

    out = []
    for r in requests:
        what = window_passed(p, r, now)
        if what is not None:
            out.append(f"{r.id}: {what}: it will not be placed; give it new dates or remove it")
    return out


def missing_agencies(p: Partnership, requests: list[Request]) -> list[str]:
    """Warnings for requests whose kind needs an agency the partnership has none of (a strategy discussion
    needs health): the meeting is still placed, without them, so the coordinator should know first."""
    from scheduler.solver.request_file import PRESETS

    present = {a.kind for a in p.agencies}
    out = []
    for r in requests:
        missing = [k for k in PRESETS[r.kind].required_kinds if k not in present]
        if missing:
            out.append(
                f"{r.id}: a {PRESETS[r.kind].label.lower()} needs {' and '.join(missing)}, but no agency in "
                f"agencies.toml has kind = {' or '.join(repr(k) for k in missing)}: it will be placed without them"
            )
    return out


def load(db_path: Path, folder: str | Path, now: datetime | None = None) -> LoadSummary:
    """Check the folder, then replace its partnership in the database in one transaction."""
    partnership, problems, requests = check_folder(folder)
    if problems or partnership is None:
        raise UserError(
            f"{folder} has {len(problems)} problem{'' if len(problems) == 1 else 's'}; nothing was loaded",
            [f"{Path(folder) / p.file}{str(p)[len(p.file) :]}" for p in problems],
        )
    with Store.open(db_path, create=True) as store:
        store.replace_partnership(
            partnership,
            str(Path(folder).resolve()),
            now or datetime.now(UTC),
            [(r.id, entry_json(r.entry)) for r in requests],
        )
    return LoadSummary(
        partnership.id,
        partnership.name,
        len(partnership.agencies),
        len(partnership.teams),
        len(partnership.people),
        len(requests),
        len(partnership.absences),
        len(partnership.overrides),
        len(partnership.busy_calendars),
    )


def loaded_partnerships(db_path: Path) -> list[str]:
    """The partnerships in the database; none (rather than an error) when there is no database yet."""
    if not db_path.exists():
        return []
    with Store.open(db_path) as store:
        return store.partnership_ids()


def open_partnership(db_path: Path, partnership_id: str | None = None) -> Partnership:
    with Store.open(db_path) as store:
        return store.partnership(partnership_id)


def check_range(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise UserError(f"--days must be between 1 and {MAX_DAYS} (got {days})")


def select_people(
    p: Partnership, person: str | None = None, team: str | None = None, agency: str | None = None
) -> list[Person]:
    """People chosen by id (or exact name), team or agency; an unknown one is a UserError."""
    if person is not None:
        found = [x for x in p.people if x.id == person or x.name.lower() == person.lower()]
        if not found:
            ids = [x.id for x in p.people]
            hint = did_you_mean(person, ids) or f", e.g. {p.people[0].id!r}"
            raise UserError(f"no person {shown(person)} (use an id from people.toml{hint})")
        return found
    if team is not None:
        if team not in {t.id for t in p.teams}:
            raise UserError(f"no team {team!r} (teams: {', '.join(t.id for t in p.teams)})")
        return [x for x in p.people if x.team == team]
    if agency is not None:
        if agency not in {a.id for a in p.agencies}:
            raise UserError(f"no agency {agency!r} (agencies: {', '.join(a.id for a in p.agencies)})")
        return [x for x in p.people if x.agency == agency]
    return list(p.people)


@dataclass(frozen=True)
class DutyPeriod:
    start: datetime  # UTC
    end: datetime
    label: str  # what the roster says they are working, e.g. "Night"


@dataclass(frozen=True)
class PersonAvailability:
    person: Person
    periods: tuple[DutyPeriod, ...]
    absences: tuple[Absence, ...]

    @property
    def hours(self) -> float:
        return sum((x.end - x.start).total_seconds() for x in self.periods) / 3600


def person_availability(p: Partnership, first: date, days: int, people: Iterable[Person]) -> list[PersonAvailability]:
    """On-duty periods, labelled with the shift they belong to, and the absences that cut them."""
    check_range(days)
    chosen = list(people)
    ids = [x.id for x in chosen]
    tz = zone(p.timezone)
    lo, hi = day_span(first, days, tz)
    duty = availability(p, first, days, ids)
    days_of = roster(p, first - timedelta(days=1), days + 1, ids)
    away = absences_between(p, lo, hi, ids)
    out = []
    for x in chosen:
        labelled: list[tuple[Interval, str]] = [(i, d.label) for d in days_of[x.id] for i in d.intervals]
        periods = tuple(DutyPeriod(s, e, _label_for(s, e, labelled)) for s, e in duty[x.id])
        out.append(PersonAvailability(x, periods, tuple(away.get(x.id, ()))))
    return out


def _label_for(start: datetime, end: datetime, labelled: list[tuple[Interval, str]]) -> str:
    names = [label for (s, e), label in labelled if s < end and e > start]
    return " + ".join(dict.fromkeys(names))


def overlap_report(p: Partnership, first: date, days: int) -> OverlapReport:
    check_range(days)
    return overlap(p, first, days)


@dataclass(frozen=True)
class Heatmap:
    """Days by hours: how many of the chosen agencies have someone on duty for the whole hour."""

    first: date
    days: int
    hours: tuple[int, ...]
    agencies: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]  # [day][hour index] -> agencies on duty
    on_duty: dict[tuple[int, int], tuple[str, ...]]  # (day, hour index) -> people on duty then


def heatmap(
    p: Partnership, first: date, days: int, agencies: Iterable[str] | None = None, hours: Iterable[int] = range(24)
) -> Heatmap:
    """The overlap picture the coordinator needs: when are police and social work ever on together?"""
    check_range(days)
    tz = zone(p.timezone)
    chosen = tuple(agencies) if agencies is not None else tuple(a.id for a in p.agencies)
    unknown = [a for a in chosen if a not in {x.id for x in p.agencies}]
    if unknown:
        raise UserError(f"no agency {unknown[0]!r}")
    people = [x for x in p.people if x.agency in chosen]
    duty = availability(p, first, days, [x.id for x in people])
    hour_list = tuple(hours)
    agency_of = {x.id: x.agency for x in people}
    cells, on_duty = [], {}
    for d in range(days):
        day = first + timedelta(days=d)
        row = []
        for h_index, hour in enumerate(hour_list):
            lo = to_utc(day, time(hour), tz)
            hi = lo + timedelta(hours=1)
            present = tuple(x.id for x in people if any(s <= lo and e >= hi for s, e in duty[x.id]))
            on_duty[(d, h_index)] = present
            row.append(len({agency_of[x] for x in present}))
        cells.append(tuple(row))
    return Heatmap(first, days, hour_list, chosen, tuple(cells), on_duty)
