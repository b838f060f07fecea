"""The decision log: what a coordinator decided, with the rows it changed before and after, for undo.

A decision is recorded in the transaction that makes it. Undo restores the rows as they were before the
latest decision not yet undone, but only while they are still as that decision left them: a solve, an
export or another coordinator's decision since then changed them, and undoing would lose that. The
restored rows get a new revision (revisions only grow), so a solve that read the undone state keeps
the undo as it keeps any decision.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from scheduler.errors import UserError
from scheduler.store.migrations import sqlite_utils

TABLES = {"meetings": "request", "requests": "id"}  # the rows a decision about one request can change


def rows_of(db: sqlite_utils.Database, pid: str, rid: str) -> dict[str, dict[str, Any] | None]:
    out: dict[str, dict[str, Any] | None] = {}
    for table, key in TABLES.items():
        found = list(db.query(f"select * from {table} where partnership = ? and {key} = ?", [pid, rid]))
        out[table] = found[0] if found else None
    return out


def record(db: sqlite_utils.Database, pid: str, what: str, rid: str, before: dict[str, dict[str, Any] | None]) -> None:
    """Log ``what`` (e.g. "locked") about ``rid``; call inside the write transaction, after the change."""
    after = rows_of(db, pid, rid)
    if after == before:
        return  # nothing changed: nothing to undo
    db.table("decisions").insert(
        {
            "partnership": pid,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "what": what,
            "request": rid,
            "before": json.dumps(before),
            "after": json.dumps(after),
            "undone": 0,
        }
    )


def history(db: sqlite_utils.Database, pid: str, limit: int = 50) -> list[dict[str, Any]]:
    if "decisions" not in db.table_names():
        return []
    return list(
        db.query(
            "select id, at, what, request, undone from decisions where partnership = ? order by id desc limit ?",
            [pid, limit],
        )
    )


def undo_last(db: sqlite_utils.Database, pid: str) -> dict[str, Any]:
    """Put back the rows of the latest decision not undone; call inside the write transaction."""
    found = list(
        db.query("select * from decisions where partnership = ? and undone = 0 order by id desc limit 1", [pid])
    )
    if not found:
        raise UserError("there is no decision to undo")
    decision = found[0]
    rid, before, after = decision["request"], json.loads(decision["before"]), json.loads(decision["after"])
    now = rows_of(db, pid, rid)
    for table in TABLES:
        if _content(now[table]) != _content(after[table]):
            raise UserError(
                f"{rid} has changed since it was {decision['what']} (solved, sent or decided again); nothing was "
                "undone: decide it afresh instead"
            )
    for table, key in TABLES.items():
        db.execute(f"delete from {table} where partnership = ? and {key} = ?", [pid, rid])
        row = before[table]
        if row is not None:
            # A new revision, so that a solve which read the undone state does not overwrite this one either.
            row["revision"] = max(_revision(now[table]), _revision(row)) + 1
            db.table(table).insert(row)
    db.execute("update decisions set undone = 1 where id = ?", [decision["id"]])
    return {"what": decision["what"], "request": rid, "at": decision["at"]}


def _content(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """A row as the coordinator knows it: revisions count changes (an undo is one), they are not content."""
    return None if row is None else {k: v for k, v in row.items() if k != "revision"}


def _revision(row: dict[str, Any] | None) -> int:
    return -1 if row is None else int(row.get("revision") or 0)
