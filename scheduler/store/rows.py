"""The partnership as table rows and back: the one place that knows how each model field is stored.

Instants are stored as UTC ISO strings, clock times as HH:MM, lists as JSON; ``partnership_rows`` and
``read_partnership`` are exact inverses (a load followed by a read gives back an equal partnership).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

from rotas.model import (
    Absence,
    Agency,
    CyclePattern,
    DutyOverride,
    Partnership,
    Pattern,
    Person,
    Room,
    Shift,
    Team,
    Term,
    WeeklyPattern,
    WeeklyRule,
)
from rotas.schema import settings_from
from scheduler.store.migrations import sqlite_utils


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def _select(db: sqlite_utils.Database, table: str, pid: str, order: str = "rowid") -> list[dict[str, Any]]:
    return list(db.query(f"select * from [{table}] where partnership = ? order by {order}", [pid]))


def read_partnership(db: sqlite_utils.Database, pid: str) -> Partnership:
    """The stored partnership ``pid`` (the inverse of ``partnership_rows``)."""
    row = next(db.query("select * from partnerships where id = ?", [pid]))
    shifts: dict[str, dict[str, Shift]] = {}
    for s in _select(db, "shifts", pid):
        shifts.setdefault(s["agency"], {})[s["code"]] = Shift(s["code"], s["label"], _time(s["start"]), _time(s["end"]))
    agencies = tuple(
        Agency(a["id"], a["name"], shifts.get(a["id"], {}), a["kind"]) for a in _select(db, "agencies", pid, "position")
    )
    teams = tuple(
        Team(t["id"], t["name"], t["agency"], t["pattern"], t["offset"], t["hub_travel"])
        for t in _select(db, "teams", pid, "position")
    )
    patterns: list[Pattern] = []
    for r in _select(db, "patterns", pid, "position"):
        if r["kind"] == "cycle":
            patterns.append(
                CyclePattern(
                    r["name"],
                    r["agency"],
                    date.fromisoformat(r["anchor"]),
                    tuple(json.loads(r["days"])),
                    r["bank_holidays"],
                )
            )
        else:
            rules = tuple(WeeklyRule(x["rrule"], x["shift"]) for x in json.loads(r["rules"]))
            patterns.append(
                WeeklyPattern(
                    r["name"],
                    r["agency"],
                    date.fromisoformat(r["anchor"]),
                    rules,
                    r["bank_holidays"],
                    bool(r["term_time_only"]),
                )
            )
    people = tuple(
        Person(x["id"], x["name"], x["email"], x["agency"], x["team"], x["role"], x["grade"], x["pattern"], x["offset"])
        for x in _select(db, "people", pid, "position")
    )
    return Partnership(
        id=row["id"],
        name=row["name"],
        timezone=row["timezone"],
        bank_holidays=row["bank_holidays"],
        coordinator_name=row["coordinator_name"],
        coordinator_email=row["coordinator_email"],
        agencies=agencies,
        teams=teams,
        people=people,
        patterns=tuple(patterns),
        terms=tuple(
            Term(t["name"], date.fromisoformat(t["start"]), date.fromisoformat(t["end"]))
            for t in _select(db, "terms", pid, "position")
        ),
        extra_bank_holidays=tuple(date.fromisoformat(d) for d in json.loads(row["extra_bank_holidays"])),
        absences=tuple(
            Absence(
                a["person"],
                datetime.fromisoformat(a["start"]),
                datetime.fromisoformat(a["end"]),
                a["kind"],
                a["source"],
            )
            for a in _select(db, "absences", pid)
        ),
        overrides=tuple(
            DutyOverride(o["person"], date.fromisoformat(o["date"]), o["code"], o["source"])
            for o in _select(db, "duty_overrides", pid)
        ),
        busy_calendars=tuple((b["person"], b["ics"]) for b in _select(db, "busy_calendars", pid)),
        settings=settings_from(json.loads(row["settings"])),
        rooms=tuple(Room(r["id"], r["name"], r["capacity"]) for r in _select(db, "rooms", pid, "position")),
    )


def partnership_rows(p: Partnership) -> dict[str, list[dict[str, Any]]]:
    """The partnership as rows for each table (the inverse of ``read_partnership``)."""
    k = {"partnership": p.id}
    patterns = []
    for i, pat in enumerate(p.patterns):
        row = {
            **k,
            "name": pat.name,
            "kind": pat.kind,
            "agency": pat.agency,
            "anchor": pat.anchor.isoformat(),
            "bank_holidays": pat.bank_holidays,
            "position": i,
            "days": None,
            "rules": None,
            "term_time_only": 0,
        }
        if isinstance(pat, CyclePattern):
            row["days"] = json.dumps(list(pat.days))
        else:
            row["rules"] = json.dumps([{"rrule": r.rrule, "shift": r.shift} for r in pat.rules])
            row["term_time_only"] = int(pat.term_time_only)
        patterns.append(row)
    return {
        "agencies": [
            {**k, "id": a.id, "name": a.name, "kind": a.kind, "position": i} for i, a in enumerate(p.agencies)
        ],
        "rooms": [
            {**k, "id": r.id, "name": r.name, "capacity": r.capacity, "position": i} for i, r in enumerate(p.rooms)
        ],
        "shifts": [
            {**k, "agency": a.id, "code": s.code, "label": s.label, "start": _clock(s.start), "end": _clock(s.end)}
            for a in p.agencies
            for s in a.shifts.values()
        ],
        "teams": [
            {
                **k,
                "id": t.id,
                "name": t.name,
                "agency": t.agency,
                "pattern": t.pattern,
                "offset": t.offset,
                "hub_travel": t.hub_travel,
                "position": i,
            }
            for i, t in enumerate(p.teams)
        ],
        "patterns": patterns,
        "people": [
            {
                **k,
                "id": x.id,
                "name": x.name,
                "email": x.email,
                "agency": x.agency,
                "team": x.team,
                "role": x.role,
                "grade": x.grade,
                "pattern": x.pattern,
                "offset": x.offset,
                "position": i,
            }
            for i, x in enumerate(p.people)
        ],
        "terms": [
            {**k, "name": t.name, "start": t.start.isoformat(), "end": t.end.isoformat(), "position": i}
            for i, t in enumerate(p.terms)
        ],
        "absences": [
            {**k, "person": a.person, "start": iso(a.start), "end": iso(a.end), "kind": a.kind, "source": a.source}
            for a in p.absences
        ],
        "duty_overrides": [
            {**k, "person": o.person, "date": o.date.isoformat(), "code": o.code, "source": o.source}
            for o in p.overrides
        ],
        "busy_calendars": [{**k, "person": person, "ics": text} for person, text in p.busy_calendars],
    }
