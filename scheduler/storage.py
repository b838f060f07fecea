"""The SQLite store (via sqlite-utils): one file, versioned by migrations.

Writes happen only inside ``Store.replace_partnership``'s single transaction,
so a failure at any point leaves the file exactly as it was. Opening a store
to read never creates a file: a missing database is reported, not made.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from scheduler.fastimport import without_optional

# sqlite-utils imports pandas and numpy when they are installed (OR-Tools installs them) only to map their
# types to columns, and Quorum never stores either; skipping them saves about half a second at every start.
with without_optional("pandas", "numpy"):
    import sqlite_utils
    from sqlite_utils import Migrations

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
from scheduler.errors import UserError

MIGRATIONS = Migrations("quorum")

# Tables rebuilt from the folder on every load; requests and meetings are merged instead.
PARTNERSHIP_TABLES = (
    "agencies",
    "shifts",
    "teams",
    "patterns",
    "people",
    "terms",
    "absences",
    "duty_overrides",
    "busy_calendars",
    "rooms",
)


@MIGRATIONS()
def m0001_partnership(db: sqlite_utils.Database) -> None:
    db["partnerships"].create(
        {
            "id": str,
            "name": str,
            "timezone": str,
            "bank_holidays": str,
            "extra_bank_holidays": str,
            "coordinator_name": str,
            "coordinator_email": str,
            "settings": str,
            "source": str,
            "loaded_at": str,
        },
        pk="id",
    )
    key = {"partnership": str}
    db["agencies"].create({**key, "id": str, "name": str, "position": int}, pk=("partnership", "id"))
    db["shifts"].create(
        {**key, "agency": str, "code": str, "label": str, "start": str, "end": str},
        pk=("partnership", "agency", "code"),
    )
    db["teams"].create(
        {**key, "id": str, "name": str, "agency": str, "pattern": str, "offset": int, "position": int},
        pk=("partnership", "id"),
    )
    db["patterns"].create(
        {
            **key,
            "name": str,
            "kind": str,
            "agency": str,
            "anchor": str,
            "days": str,
            "rules": str,
            "bank_holidays": str,
            "term_time_only": int,
            "position": int,
        },
        pk=("partnership", "name"),
    )
    db["people"].create(
        {
            **key,
            "id": str,
            "name": str,
            "email": str,
            "agency": str,
            "team": str,
            "role": str,
            "grade": str,
            "pattern": str,
            "offset": int,
            "position": int,
        },
        pk=("partnership", "id"),
    )
    db["terms"].create({**key, "name": str, "start": str, "end": str, "position": int})
    db["absences"].create({**key, "person": str, "start": str, "end": str, "kind": str, "source": str})
    db["duty_overrides"].create(
        {**key, "person": str, "date": str, "code": str, "source": str}, pk=("partnership", "person", "date")
    )
    db["busy_calendars"].create({**key, "person": str, "ics": str}, pk=("partnership", "person"))
    for table in ("terms", "absences"):
        db[table].create_index(["partnership"])


@MIGRATIONS()
def m0002_scheduling(db: sqlite_utils.Database) -> None:
    """Agency kinds and rooms (for meeting presets), requests, placed meetings and solver runs."""
    db["agencies"].add_column("kind", str, not_null_default="other")
    key = {"partnership": str}
    db["rooms"].create({**key, "id": str, "name": str, "capacity": int, "position": int}, pk=("partnership", "id"))
    # A request's spec is its requests.toml entry as JSON: one validator for file, CLI and UI.
    db["requests"].create({**key, "id": str, "spec": str, "source": str, "position": int}, pk=("partnership", "id"))
    db["meetings"].create(
        {
            **key,
            "request": str,
            "status": str,
            "start": str,
            "end": str,
            "locked": int,
            "room": str,
            "attendees": str,
            "absent": str,
            "alternatives": str,
            "explanation": str,
            "solve": int,
            "updated_at": str,
        },
        pk=("partnership", "request"),
    )
    db["solves"].create(
        {
            "id": int,
            **key,
            "strategy": str,
            "status": str,
            "objective": float,
            "bound": float,
            "wall_time_s": float,
            "seed": int,
            "started_at": str,
            "summary": str,
        },
        pk="id",
    )


@MIGRATIONS()
def m0003_sent(db: sqlite_utils.Database) -> None:
    """What was sent as calendar invites: UID, SEQUENCE, content hash and the event itself."""
    db["sent"].create(
        {
            "partnership": str,
            "request": str,
            "uid": str,
            "sequence": int,
            "hash": str,
            "status": str,
            "stamp": str,
            "event": str,
            "sent_at": str,
        },
        pk=("partnership", "request"),
    )


@MIGRATIONS()
def m0004_replies(db: sqlite_utils.Database) -> None:
    """Attendees' answers to invites (iTIP REPLY): accepted, declined, tentative."""
    db["replies"].create(
        {
            "partnership": str,
            "request": str,
            "person": str,
            "partstat": str,
            "sequence": int,
            "received_at": str,
            "source": str,
        },
        pk=("partnership", "request", "person"),
    )


def schema_version() -> int:
    """The version this Quorum writes: the number of migrations it knows."""
    return len(MIGRATIONS._migrations)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


class Store:
    """A Quorum database file. Use ``Store.open`` to read, ``Store.open(create=True)`` to load."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> Store:
        if not path.exists() and not create:
            raise UserError(f"no database at {path}: load a partnership first with `quorum load FOLDER`")
        if path.exists() and path.is_dir():
            raise UserError(f"{path} is a folder, not a database file")
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError(f"cannot create the folder for the database {path}: {exc.strerror}") from exc
        try:
            conn = sqlite3.connect(path, isolation_level=None)
            db = sqlite_utils.Database(conn)
            db.execute("PRAGMA foreign_keys = ON")
            store = cls(db, path)
            store._check_version()
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{path} is not a Quorum database ({exc})") from exc
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- versions ------------------------------------------------------------------

    def _check_version(self) -> None:
        known = {m.name for m in MIGRATIONS._migrations}
        applied = {m.name for m in MIGRATIONS.applied(self.db)}
        newer = applied - known
        if newer:
            raise UserError(
                f"{self.path} was written by a newer version of Quorum (schema {len(applied)}, this version "
                f"knows {len(known)}): upgrade Quorum"
            )
        tables = set(self.db.table_names())
        if tables and not applied and "partnerships" not in tables:
            raise UserError(f"{self.path} is an SQLite file but not a Quorum database")

    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def pending_migrations(self) -> list[str]:
        return [m.name for m in MIGRATIONS.pending(self.db)]

    def _migrate(self) -> None:
        """Bring the schema up to date; called inside the write transaction."""
        MIGRATIONS.apply(self.db)
        self.db.execute(f"PRAGMA user_version = {schema_version()}")

    @contextmanager
    def _reading(self) -> Iterator[None]:
        if self.pending_migrations():
            if not self.db.table_names():
                raise UserError(f"the database {self.path} is empty: load a partnership with `quorum load FOLDER`")
            with self.db.atomic():
                self._migrate()
        yield

    # -- partnerships ----------------------------------------------------------------

    def partnership_ids(self) -> list[str]:
        if "partnerships" not in self.db.table_names():
            return []
        return [row["id"] for row in self.db.query("select id from partnerships order by loaded_at desc, id")]

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One transaction, schema brought up to date inside it: all or nothing."""
        with self.db.atomic():
            self._migrate()
            yield

    def replace_partnership(
        self, p: Partnership, source: str, loaded_at: datetime, requests: list[tuple[str, dict]] | None = None
    ) -> None:
        """Store ``p`` in place of any earlier load with its id, all in one transaction.

        Requests from the folder replace those loaded from it before; requests added
        from the CLI or UI stay unless the folder now defines the same id. A placed
        meeting whose request has gone is marked cancelled, so the next export can
        withdraw it.
        """
        with self._writing():
            for table in PARTNERSHIP_TABLES:
                self.db.execute(f"delete from [{table}] where partnership = ?", [p.id])
            self.db.execute("delete from partnerships where id = ?", [p.id])
            self.db["partnerships"].insert(
                {
                    "id": p.id,
                    "name": p.name,
                    "timezone": p.timezone,
                    "bank_holidays": p.bank_holidays,
                    "extra_bank_holidays": json.dumps([d.isoformat() for d in p.extra_bank_holidays]),
                    "coordinator_name": p.coordinator_name,
                    "coordinator_email": p.coordinator_email,
                    "settings": json.dumps(p.settings),
                    "source": source,
                    "loaded_at": _iso(loaded_at),
                }
            )
            for table, rows in _rows(p).items():
                if rows:
                    self.db[table].insert_all(rows)
            if requests is not None:
                self.db.execute("delete from requests where partnership = ? and source = 'file'", [p.id])
                for i, (rid, spec) in enumerate(requests):
                    self.db["requests"].upsert(
                        {"partnership": p.id, "id": rid, "spec": json.dumps(spec), "source": "file", "position": i},
                        pk=("partnership", "id"),
                    )
                self.db.execute(
                    "update meetings set status = 'cancelled', updated_at = ? where partnership = ? and status "
                    "!= 'cancelled' and request not in (select id from requests where partnership = ?)",
                    [_iso(loaded_at), p.id, p.id],
                )

    # -- requests and meetings -------------------------------------------------------------

    def requests(self, pid: str) -> list[dict[str, Any]]:
        """Each request's id, spec (its requests.toml entry) and source, in file order then added order."""
        rows = self.db.query(
            "select id, spec, source from requests where partnership = ? order by source = 'cli', position, rowid",
            [pid],
        )
        return [{"id": r["id"], "spec": json.loads(r["spec"]), "source": r["source"]} for r in rows]

    def put_request(self, pid: str, rid: str, spec: dict[str, Any], source: str = "cli") -> None:
        with self._writing():
            position = self.db.execute(
                "select coalesce(max(position), -1) + 1 from requests where partnership = ?", [pid]
            ).fetchone()[0]
            existing = self.db.execute(
                "select source, position from requests where partnership = ? and id = ?", [pid, rid]
            ).fetchone()
            if existing:
                source, position = existing
            self.db["requests"].upsert(
                {"partnership": pid, "id": rid, "spec": json.dumps(spec), "source": source, "position": position},
                pk=("partnership", "id"),
            )

    def delete_request(self, pid: str, rid: str, now: datetime) -> None:
        with self._writing():
            self.db.execute("delete from requests where partnership = ? and id = ?", [pid, rid])
            self.db.execute(
                "update meetings set status = 'cancelled', updated_at = ? where partnership = ? and request = ?",
                [_iso(now), pid, rid],
            )

    def meetings(self, pid: str) -> dict[str, dict[str, Any]]:
        if "meetings" not in self.db.table_names():
            return {}
        out = {}
        for row in self.db.query("select * from meetings where partnership = ? order by start, request", [pid]):
            for key in ("attendees", "absent", "alternatives", "explanation"):
                row[key] = json.loads(row[key]) if row[key] else None
            out[row["request"]] = row
        return out

    def save_schedule(self, pid: str, solve: dict[str, Any], meetings: list[dict[str, Any]]) -> int:
        """Record a solver run and its meetings together; returns the run's id."""
        with self._writing():
            solve_id = self.db["solves"].insert({"partnership": pid, **solve}).last_pk
            for m in meetings:
                row = {"partnership": pid, "solve": solve_id, **m}
                for key in ("attendees", "absent", "alternatives", "explanation"):
                    row[key] = json.dumps(row.get(key)) if row.get(key) is not None else None
                self.db["meetings"].upsert(row, pk=("partnership", "request"))
            return int(solve_id)

    def update_meeting(self, pid: str, rid: str, **fields: Any) -> None:
        with self._writing():
            for key in ("attendees", "absent", "alternatives", "explanation"):
                if key in fields and fields[key] is not None:
                    fields[key] = json.dumps(fields[key])
            self.db["meetings"].update((pid, rid), fields)

    def sent(self, pid: str) -> dict[str, dict[str, Any]]:
        if "sent" not in self.db.table_names():
            return {}
        return {
            r["request"]: {**r, "event": json.loads(r["event"])}
            for r in self.db.query("select * from sent where partnership = ?", [pid])
        }

    def record_sent(self, pid: str, rows: list[dict[str, Any]], meeting_status: dict[str, str]) -> None:
        """Remember what was written, and mark the meetings sent or cancelled, in one transaction."""
        with self._writing():
            for row in rows:
                self.db["sent"].upsert(
                    {"partnership": pid, **row, "event": json.dumps(row["event"])}, pk=("partnership", "request")
                )
            for rid, status in meeting_status.items():
                self.db.execute(
                    "update meetings set status = ? where partnership = ? and request = ?", [status, pid, rid]
                )

    def replies(self, pid: str) -> dict[tuple[str, str], str]:
        if "replies" not in self.db.table_names():
            return {}
        rows = self.db.query("select request, person, partstat from replies where partnership = ?", [pid])
        return {(r["request"], r["person"]): r["partstat"] for r in rows}

    def record_replies(self, pid: str, rows: list[dict[str, Any]]) -> None:
        with self._writing():
            for row in rows:
                self.db["replies"].upsert({"partnership": pid, **row}, pk=("partnership", "request", "person"))

    def last_solve(self, pid: str) -> dict[str, Any] | None:
        if "solves" not in self.db.table_names():
            return None
        rows = list(self.db.query("select * from solves where partnership = ? order by id desc limit 1", [pid]))
        if not rows:
            return None
        row = rows[0]
        row["summary"] = json.loads(row["summary"]) if row["summary"] else {}
        return row

    def partnership(self, partnership_id: str | None = None) -> Partnership:
        """The stored partnership: the one named, or the only one there is."""
        with self._reading():
            ids = self.partnership_ids()
            if not ids:
                raise UserError(f"no partnership is loaded in {self.path}: run `quorum load FOLDER`")
            if partnership_id is None:
                if len(ids) > 1:
                    raise UserError(
                        f"the database holds several partnerships; choose one with --partnership ({', '.join(ids)})"
                    )
                partnership_id = ids[0]
            elif partnership_id not in ids:
                raise UserError(f"no partnership {partnership_id!r} in the database (loaded: {', '.join(ids)})")
            return self._read(partnership_id)

    def _select(self, table: str, pid: str, order: str = "rowid") -> list[dict[str, Any]]:
        return list(self.db.query(f"select * from [{table}] where partnership = ? order by {order}", [pid]))

    def _read(self, pid: str) -> Partnership:
        row = next(self.db.query("select * from partnerships where id = ?", [pid]))
        shifts: dict[str, dict[str, Shift]] = {}
        for s in self._select("shifts", pid):
            shifts.setdefault(s["agency"], {})[s["code"]] = Shift(
                s["code"], s["label"], _time(s["start"]), _time(s["end"])
            )
        agencies = tuple(
            Agency(a["id"], a["name"], shifts.get(a["id"], {}), a["kind"])
            for a in self._select("agencies", pid, "position")
        )
        teams = tuple(
            Team(t["id"], t["name"], t["agency"], t["pattern"], t["offset"])
            for t in self._select("teams", pid, "position")
        )
        patterns: list[Pattern] = []
        for r in self._select("patterns", pid, "position"):
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
            Person(
                x["id"], x["name"], x["email"], x["agency"], x["team"], x["role"], x["grade"], x["pattern"], x["offset"]
            )
            for x in self._select("people", pid, "position")
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
                for t in self._select("terms", pid, "position")
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
                for a in self._select("absences", pid)
            ),
            overrides=tuple(
                DutyOverride(o["person"], date.fromisoformat(o["date"]), o["code"], o["source"])
                for o in self._select("duty_overrides", pid)
            ),
            busy_calendars=tuple((b["person"], b["ics"]) for b in self._select("busy_calendars", pid)),
            settings=json.loads(row["settings"]),
            rooms=tuple(Room(r["id"], r["name"], r["capacity"]) for r in self._select("rooms", pid, "position")),
        )


def _rows(p: Partnership) -> dict[str, list[dict[str, Any]]]:
    """The partnership as rows for each table (the inverse of ``Store._read``)."""
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
            {**k, "person": a.person, "start": _iso(a.start), "end": _iso(a.end), "kind": a.kind, "source": a.source}
            for a in p.absences
        ],
        "duty_overrides": [
            {**k, "person": o.person, "date": o.date.isoformat(), "code": o.code, "source": o.source}
            for o in p.overrides
        ],
        "busy_calendars": [{**k, "person": person, "ics": text} for person, text in p.busy_calendars],
    }
