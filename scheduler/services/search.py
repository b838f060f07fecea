"""Finding a request, a case or a person by what a coordinator remembers of it.

A coordinator searches by whatever is at hand: a request id, a case reference
off a referral, half a surname, a team's name. Every list in the UI filters
with :func:`matches` and the command palette offers :func:`index`'s entries,
so the two always agree on what a search finds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rotas.model import Partnership, Person
from scheduler.services.requests import resolve_stored
from scheduler.solver.requests import Request
from scheduler.store.database import Store


def words(query: str) -> list[str]:
    return query.casefold().split()


def matches(query: str, fields: Iterable[str]) -> bool:
    """Every word of the query appears in one of the fields (any order, any case): "osei cp-104" finds
    the request with that officer on that case."""
    wanted = words(query)
    if not wanted:
        return True
    text = "\n".join(f.casefold() for f in fields if f)
    return all(w in text for w in wanted)


def person_fields(p: Partnership, person: Person) -> list[str]:
    """What finds a person: id, name, role, and their agency's and team's ids and names."""
    team = next((t for t in p.teams if t.id == person.team), None)
    agency = next((a for a in p.agencies if a.id == person.agency), None)
    return [
        person.id,
        person.name,
        person.role,
        person.agency,
        agency.name if agency else "",
        person.team,
        team.name if team else "",
    ]


def people_fields(p: Partnership, ids: Iterable[str]) -> list[str]:
    known = {x.id: x for x in p.people}
    out: list[str] = []
    for pid in ids:
        out += person_fields(p, known[pid]) if pid in known else [pid]
    return out


@dataclass(frozen=True)
class Entry:
    """One thing the palette can find: what it is, its key, a line to show and the text it is found by."""

    kind: Literal["request", "case", "person"]
    key: str
    title: str
    detail: str
    fields: tuple[str, ...]
    state: str = ""  # a request's: pending, placed, issued, unscheduled, cancelled

    @property
    def text(self) -> str:
        return " ".join(self.fields)


def _read(db_path: Path, pid: str | None) -> tuple[Partnership, list[Request], dict[str, dict[str, Any]]]:
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        rows, meetings = store.requests(p.id), store.meetings(p.id)
    return p, resolve_stored(p, rows)[0], meetings


def request_fields(db_path: Path, pid: str | None) -> dict[str, tuple[str, ...]]:
    """What finds each request in a list: its id, case, kind, and its invitees' names, teams and agencies."""
    p, requests, meetings = _read(db_path, pid)
    return {r.id: _request_fields(p, r, meetings) for r in requests}


def _request_fields(p: Partnership, r: Request, meetings: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    """A role slot's label counts too ("any PVU officer"), and so does whoever the solver placed in it."""
    meeting = meetings.get(r.id) or {}
    state = meeting.get("status", "pending")
    placed = [a.get("person", "") for a in meeting.get("attendees") or []]
    people = dict.fromkeys([pid for pid, _required in r.invitees] + placed)
    return (r.id, r.case, r.kind, state, *(s.label for s in r.slots), *people_fields(p, people))


def index(db_path: Path, pid: str | None) -> list[Entry]:
    """Every request, case and person of the partnership, as the palette lists them."""
    p, requests, meetings = _read(db_path, pid)
    out: list[Entry] = []
    cases: dict[str, list[str]] = {}
    for r in requests:
        state = (meetings.get(r.id) or {}).get("status", "pending")
        invitees = [pid for pid, _required in r.invitees]
        out.append(
            Entry(
                "request",
                r.id,
                f"{r.id}  {r.case}  {r.kind}",
                f"Request, {state}: {', '.join(names(p, invitees)[:4])}",
                _request_fields(p, r, meetings),
                state,
            )
        )
        cases.setdefault(r.case, []).append(r.id)
    for case, ids in sorted(cases.items()):
        out.append(Entry("case", case, f"Case {case}", f"Requests {', '.join(ids)}", (case, *ids)))
    teams = {t.id: t.name for t in p.teams}
    for person in sorted(p.people, key=lambda x: x.name):
        out.append(
            Entry(
                "person",
                person.id,
                f"{person.name} ({person.id})",
                f"{person.role}, {teams.get(person.team, person.team)}",
                tuple(person_fields(p, person)),
            )
        )
    return out


def names(p: Partnership, ids: Iterable[str]) -> list[str]:
    known = {x.id: x.name for x in p.people}
    return [known.get(i, i) for i in ids]
