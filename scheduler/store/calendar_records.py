"""What the calendars have given out, kept beside the meetings: versions, the delivery ledger, replies.

A mixin of ``Store`` (the same connection and transactions), kept apart so the store's own module holds
the partnership, requests and meetings and this one what the calendar channels record.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import Any

from scheduler.store.migrations import sqlite_utils

ISSUED = "issued"  # a meeting whose invite went out through some channel (record_deliveries sets it)


class CalendarRecords:
    db: sqlite_utils.Database

    def _writing(self) -> AbstractContextManager[None]:  # provided by Store
        raise NotImplementedError

    def versions(self, pid: str) -> dict[str, dict[str, Any]]:
        """Each meeting's latest issued calendar entry: UID, SEQUENCE, hash, status, DTSTAMP, the event."""
        if "versions" not in self.db.table_names():
            return {}
        return {
            r["request"]: {**r, "event": json.loads(r["event"])}
            for r in self.db.query("select * from versions where partnership = ?", [pid])
        }

    def save_versions(self, pid: str, rows: list[dict[str, Any]]) -> None:
        """Fix the SEQUENCE and DTSTAMP of entries about to go out, before anything goes."""
        with self._writing():
            self._save_versions(pid, rows)

    def _save_versions(self, pid: str, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.db["versions"].upsert(
                {"partnership": pid, **row, "event": json.dumps(row["event"])}, pk=("partnership", "request")
            )

    def deliveries(self, pid: str, channel: str | None = None, target: str | None = None) -> list[dict[str, Any]]:
        """The ledger: what each channel's target gave each recipient (one row per meeting and recipient)."""
        if "deliveries" not in self.db.table_names():
            return []
        sql, args = "select * from deliveries where partnership = ?", [pid]
        if channel is not None:
            sql, args = sql + " and channel = ?", [*args, channel]
        if target is not None:
            sql, args = sql + " and target = ?", [*args, target]
        return list(self.db.query(sql, args))

    def record_deliveries(
        self,
        pid: str,
        rows: list[dict[str, Any]],
        forget: list[dict[str, Any]] = (),  # type: ignore[assignment]
        versions: list[dict[str, Any]] = (),  # type: ignore[assignment]
    ) -> None:
        """Add ``rows`` to the ledger (drop ``forget``: resources removed; fix ``versions``) in one
        transaction; a meeting that reached anyone is then ``issued``, which keeps it where it is when
        solving again."""
        keys = ("request", "channel", "target", "recipient")
        with self._writing():
            self._save_versions(pid, versions)
            for row in rows:
                self.db["deliveries"].upsert(
                    {"partnership": pid, "etag": "", "href": "", **row},
                    pk=("partnership", *keys),
                )
                if row["status"] == "request":
                    self.db.execute(
                        "update meetings set status = ?, revision = revision + 1 "
                        "where partnership = ? and request = ? and status = 'placed'",
                        [ISSUED, pid, row["request"]],
                    )
            for row in forget:
                self.db.execute(
                    "delete from deliveries where partnership = ? and request = ? and channel = ? and target = ? "
                    "and recipient = ?",
                    [pid, *(row[k] for k in keys)],
                )

    def replies(self, pid: str) -> dict[tuple[str, str], str]:
        """Answers to the meeting's latest issued version only: a new SEQUENCE asks everyone again
        (RFC 5546 2.1.4), so an "accepted" given to the old time no longer shows."""
        if "replies" not in self.db.table_names():
            return {}
        rows = self.db.query(
            "select r.request, r.person, r.partstat from replies r join versions v "
            "on v.partnership = r.partnership and v.request = r.request "
            "where r.partnership = ? and r.sequence >= v.sequence",
            [pid],
        )
        return {(r["request"], r["person"]): r["partstat"] for r in rows}

    def record_replies(self, pid: str, rows: list[dict[str, Any]]) -> None:
        with self._writing():
            for row in rows:
                self.db["replies"].upsert({"partnership": pid, **row}, pk=("partnership", "request", "person"))
