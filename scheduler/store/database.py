"""The SQLite store (via sqlite-utils): one file, versioned by migrations.

Writes happen only inside ``Store.replace_partnership``'s single transaction,
so a failure at any point leaves the file exactly as it was. Opening a store
to read never creates a file: a missing database is reported, not made.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rotas.model import Partnership
from scheduler.errors import UserError
from scheduler.store import decisions, failures
from scheduler.store.calendar_records import ISSUED, CalendarRecords
from scheduler.store.migrations import MIGRATIONS, PARTNERSHIP_TABLES, schema_version, sqlite_utils
from scheduler.store.rows import iso, partnership_rows, read_partnership

IN_CALENDARS = ("placed", ISSUED)  # meeting statuses that have a place in calendars

BUSY_TIMEOUT_S = 15  # how long a writer waits for another to finish before saying the database is busy


def busy(path: Path) -> UserError:
    return UserError(
        f"the database {path} is busy: another coordinator or a solve was saving and did not finish within "
        f"{BUSY_TIMEOUT_S} s; nothing was changed, try again in a moment"
    )


def _is_busy(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _private(path: Path) -> None:
    """The database holds safeguarding data: readable by its owner only, whatever the umask."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


@dataclass(frozen=True)
class Snapshot:
    """The revisions a solve read: the partnership's content, each request's, each meeting's."""

    fingerprint: str
    requests: dict[str, int]
    meetings: dict[str, int]


class Store(CalendarRecords):
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
                if not path.parent.exists():
                    path.parent.mkdir(parents=True, mode=0o700)
                _private(path)
            except OSError as exc:
                raise UserError(f"cannot create the database {path}: {exc.strerror}") from exc
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
            db = sqlite_utils.Database(conn)
            db.execute("PRAGMA foreign_keys = ON")
            store = cls(db, path)
            store._check_version()
        except sqlite3.DatabaseError as exc:
            told = failures.problem(path, exc)
            if told is not None and "not a database" not in str(exc):
                raise told from exc
            raise UserError(f"{path} is not a Quorum database ({exc})") from exc
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        """Closes the file; a read-only database, a full disk or a damaged page met inside the ``with``
        becomes a UserError saying what to do (the failed transaction was rolled back: nothing changed)."""
        self.close()
        told = failures.problem(self.path, exc) if exc is not None else None
        if told is None and isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
            told = busy(self.path)
        if told is not None:
            raise told from exc

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
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

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
            with self._writing():
                pass
        yield

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        """A write transaction that takes the write lock at its start (BEGIN IMMEDIATE), waiting up to the
        busy timeout for another writer. A deferred one would take it only at its first write, and two
        such met halfway deadlock: SQLite then fails one at once ("database is locked"), timeout or not."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise busy(self.path) from exc
            raise failures.problem(self.path, exc) or exc from exc
        try:
            yield
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                # SQLite may have rolled back itself (a full disk, a damaged page): the error below says why.
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            told = failures.problem(self.path, exc)
            if told is not None:
                raise told from exc
            raise

    # -- partnerships ----------------------------------------------------------------

    def partnership_ids(self) -> list[str]:
        if "partnerships" not in self.db.table_names():
            return []
        return [row["id"] for row in self.db.query("select id from partnerships order by loaded_at desc, id")]

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One transaction, schema brought up to date inside it: all or nothing."""
        with self._immediate():
            self._migrate()
            yield

    def replace_partnership(
        self, p: Partnership, source: str, loaded_at: datetime, requests: list[tuple[str, dict[str, Any]]] | None = None
    ) -> None:
        """Store ``p`` in place of any earlier load with its id, all in one transaction.

        Requests from the folder replace those loaded from it before; requests added
        from the CLI or UI stay unless the folder now defines the same id. A placed
        meeting whose request has gone is marked cancelled, so the next export can
        withdraw it.
        """
        rows_by_table = partnership_rows(p)
        fingerprint = hashlib.sha256(
            json.dumps(
                [p.timezone, p.bank_holidays, p.settings.as_json(), rows_by_table],
                sort_keys=True,
                default=str,
            ).encode()
        ).hexdigest()
        with self._writing():
            before = {
                r["id"]: (r["spec"], r["revision"])
                for r in self.db.query("select id, spec, revision from requests where partnership = ?", [p.id])
            }
            for table in PARTNERSHIP_TABLES:
                self.db.execute(f"delete from [{table}] where partnership = ?", [p.id])
            self.db.execute("delete from partnerships where id = ?", [p.id])
            self.db.table("partnerships").insert(
                {
                    "fingerprint": fingerprint,
                    "id": p.id,
                    "name": p.name,
                    "timezone": p.timezone,
                    "bank_holidays": p.bank_holidays,
                    "extra_bank_holidays": json.dumps([d.isoformat() for d in p.extra_bank_holidays]),
                    "coordinator_name": p.coordinator_name,
                    "coordinator_email": p.coordinator_email,
                    "settings": json.dumps(p.settings.as_json()),
                    "source": source,
                    "loaded_at": iso(loaded_at),
                }
            )
            for table, rows in rows_by_table.items():
                if rows:
                    self.db.table(table).insert_all(rows)
            if requests is not None:
                self.db.execute("delete from requests where partnership = ? and source = 'file'", [p.id])
                for i, (rid, spec) in enumerate(requests):
                    text = json.dumps(spec)
                    old_spec, revision = before.get(rid, (None, -1))
                    self.db.table("requests").upsert(
                        {
                            "partnership": p.id,
                            "id": rid,
                            "spec": text,
                            "source": "file",
                            "position": i,
                            # unchanged by the reload: a solve that read it may still save its meeting
                            "revision": revision if old_spec == text else revision + 1,
                        },
                        pk=("partnership", "id"),
                    )
                self.db.execute(
                    "update meetings set status = 'cancelled', updated_at = ?, revision = revision + 1 "
                    "where partnership = ? and status != 'cancelled' "
                    "and request not in (select id from requests where partnership = ?)",
                    [iso(loaded_at), p.id, p.id],
                )

    # -- requests and meetings -------------------------------------------------------------

    def requests(self, pid: str) -> list[dict[str, Any]]:
        """Each request's id, spec (its requests.toml entry), source and revision, in file order then added
        order."""
        with self._reading():
            rows = self.db.query(
                "select id, spec, source, revision from requests where partnership = ? "
                "order by source = 'cli', position, rowid",
                [pid],
            )
            return [
                {"id": r["id"], "spec": json.loads(r["spec"]), "source": r["source"], "revision": r["revision"]}
                for r in rows
            ]

    def put_request(
        self, pid: str, rid: str, spec: dict[str, Any], source: str = "cli", *, expect: int | None = None
    ) -> None:
        """Add a request (``expect`` None: refused if the id was taken meanwhile) or change one (``expect``
        its revision as read: refused if someone else changed or removed it since). Checked inside the
        write transaction, so of two coordinators adding the same id at once exactly one succeeds."""
        with self._writing():
            position = self.db.execute(
                "select coalesce(max(position), -1) + 1 from requests where partnership = ?", [pid]
            ).fetchone()[0]
            existing = self.db.execute(
                "select source, position, revision from requests where partnership = ? and id = ?", [pid, rid]
            ).fetchone()
            if expect is None and existing:
                raise UserError(f"request {rid!r} already exists (added meanwhile?): choose another id; nothing saved")
            if expect is not None and not existing:
                raise UserError(f"request {rid!r} was removed meanwhile by someone else; nothing saved")
            if expect is not None and existing[2] != expect:
                raise UserError(
                    f"request {rid!r} was changed by someone else since you read it; nothing saved: "
                    "open it again to see their change"
                )
            revision = 0
            if existing:
                source, position, revision = existing[0], existing[1], existing[2] + 1
            before = decisions.rows_of(self.db, pid, rid)
            self.db.table("requests").upsert(
                {
                    "partnership": pid,
                    "id": rid,
                    "spec": json.dumps(spec),
                    "source": source,
                    "position": position,
                    "revision": revision,
                },
                pk=("partnership", "id"),
            )
            decisions.record(self.db, pid, "request changed" if existing else "request added", rid, before)

    def delete_request(self, pid: str, rid: str, now: datetime) -> None:
        with self._writing():
            before = decisions.rows_of(self.db, pid, rid)
            self.db.execute("delete from requests where partnership = ? and id = ?", [pid, rid])
            self.db.execute(
                "update meetings set status = 'cancelled', updated_at = ?, revision = revision + 1 "
                "where partnership = ? and request = ?",
                [iso(now), pid, rid],
            )
            decisions.record(self.db, pid, "request removed", rid, before)

    def snapshot(self, pid: str) -> Snapshot:
        """What a solve reads, to be checked again when it saves."""
        with self._reading():
            return Snapshot(
                self.db.execute("select fingerprint from partnerships where id = ?", [pid]).fetchone()[0],
                self._revisions("requests", "id", pid),
                self._revisions("meetings", "request", pid),
            )

    def _revisions(self, table: str, key: str, pid: str) -> dict[str, int]:
        return {
            r[0]: r[1] for r in self.db.execute(f"select {key}, revision from {table} where partnership = ?", [pid])
        }

    def meetings(self, pid: str) -> dict[str, dict[str, Any]]:
        if "meetings" not in self.db.table_names():
            return {}
        out = {}
        for row in self.db.query("select * from meetings where partnership = ? order by start, request", [pid]):
            for key in ("attendees", "absent", "alternatives", "explanation"):
                row[key] = json.loads(row[key]) if row[key] else None
            out[row["request"]] = row
        return out

    def save_schedule(
        self, pid: str, solve: dict[str, Any], meetings: list[dict[str, Any]], read: Snapshot
    ) -> dict[str, str]:
        """Record a solver run and its meetings together, keeping every decision made since ``read``.

        Returns the meetings not saved, each with why: its request was removed or changed, or its
        meeting was locked, moved, cancelled, issued or solved by someone else while this solve ran.
        A partnership reloaded with other rotas meanwhile makes the whole run stale: nothing is saved.
        """
        with self._writing():
            now = self.snapshot(pid)
            if now.fingerprint != read.fingerprint:
                raise UserError(
                    "the partnership was reloaded with changes while this solve ran, so its schedule was worked "
                    "out on the old rotas; nothing was saved: solve again"
                )
            skipped: dict[str, str] = {}
            solve_id = self.db.table("solves").insert({"partnership": pid, **solve}).last_pk
            for m in meetings:
                rid = m["request"]
                if rid not in now.requests:
                    skipped[rid] = "its request was removed meanwhile"
                elif now.requests[rid] != read.requests.get(rid):
                    skipped[rid] = "its request was changed meanwhile"
                elif now.meetings.get(rid) != read.meetings.get(rid):
                    skipped[rid] = "it was decided meanwhile (locked, moved, cancelled, sent or solved elsewhere)"
                if rid in skipped:
                    continue
                row = {"partnership": pid, "solve": solve_id, **m, "revision": now.meetings.get(rid, -1) + 1}
                for key in ("attendees", "absent", "alternatives", "explanation"):
                    row[key] = json.dumps(row.get(key)) if row.get(key) is not None else None
                self.db.table("meetings").upsert(row, pk=("partnership", "request"))
            return skipped

    def update_meeting(self, pid: str, rid: str, what: str | None = None, **fields: Any) -> None:
        """Change a meeting's row; ``what`` (e.g. "locked") logs it as a coordinator's decision, to undo."""
        with self._writing():
            before = decisions.rows_of(self.db, pid, rid) if what else {}
            for key in ("attendees", "absent", "alternatives", "explanation"):
                if key in fields and fields[key] is not None:
                    fields[key] = json.dumps(fields[key])
            self.db.table("meetings").update((pid, rid), fields)
            self.db.execute(
                "update meetings set revision = revision + 1 where partnership = ? and request = ?", [pid, rid]
            )
            if what:
                decisions.record(self.db, pid, what, rid, before)

    def undo(self, pid: str) -> dict[str, Any]:
        """Undo the latest decision not yet undone (see ``store.decisions``); says what it undid."""
        with self._writing():
            return decisions.undo_last(self.db, pid)

    def history(self, pid: str) -> list[dict[str, Any]]:
        with self._reading():
            return decisions.history(self.db, pid)

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
            return read_partnership(self.db, partnership_id)
