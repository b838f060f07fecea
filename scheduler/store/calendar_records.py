"""What the calendars have given out, kept beside the meetings: versions, the delivery ledger, replies.

A mixin of ``Store`` (the same connection and transactions), kept apart so the store's own module holds
the partnership, requests and meetings and this one what the calendar channels record.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
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

    def _save_versions(self, pid: str, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            self.db.table("versions").upsert(
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
        forget: Sequence[dict[str, Any]] = (),
        versions: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Add ``rows`` to the ledger (drop ``forget``: resources removed; fix ``versions``) in one
        transaction; a meeting that reached anyone is then ``issued``, which keeps it where it is when
        solving again."""
        keys = ("request", "channel", "target", "recipient")
        with self._writing():
            self._save_versions(pid, versions)
            for row in rows:
                self.db.table("deliveries").upsert(
                    {"partnership": pid, "etag": "", "href": "", **row},
                    pk=("partnership", *keys),
                )
                if row["status"] == "request":
                    self.db.execute(
                        "update meetings set status = ?, revision = revision + 1 "
                        "where partnership = ? and request = ? and status = 'placed'",
                        [ISSUED, pid, row["request"]],
                    )
                if row["channel"] == "email":  # delivered: no longer only intended
                    self.db.execute(
                        "delete from outbox where partnership = ? and request = ? and recipient = ?",
                        [pid, row["request"], row["recipient"]],
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

    def reply_rows(self, pid: str) -> dict[tuple[str, str], dict[str, Any]]:
        """Every stored answer with who sent it and whom it delegates to, by (request, person), whatever its
        SEQUENCE: what reading a reply again compares with (already known, or newer)."""
        if "replies" not in self.db.table_names():
            return {}
        rows = self.db.query("select * from replies where partnership = ?", [pid])
        return {(r["request"], r["person"]): r for r in rows}

    def record_replies(
        self,
        pid: str,
        rows: list[dict[str, Any]],
        counters: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Answers and proposals of a new time, in one transaction."""
        with self._writing():
            for row in rows:
                self.db.table("replies").upsert({"partnership": pid, **row}, pk=("partnership", "request", "person"))
            for row in counters:
                self.db.table("counters").upsert(
                    {"partnership": pid, "status": "open", **row}, pk=("partnership", "request", "person")
                )

    def counters(self, pid: str) -> list[dict[str, Any]]:
        """Open proposals of a new time, for the meeting's latest issued version only (after a move the
        meeting goes out again and earlier proposals no longer apply)."""
        if "counters" not in self.db.table_names():
            return []
        return list(
            self.db.query(
                "select c.* from counters c join versions v on v.partnership = c.partnership "
                "and v.request = c.request where c.partnership = ? and c.status = 'open' "
                "and c.sequence >= v.sequence and v.status != 'cancelled' order by c.request, c.stamp",
                [pid],
            )
        )

    def settle_counter(self, pid: str, request: str, person: str, status: str = "accepted") -> None:
        with self._writing():
            self.db.execute(
                "update counters set status = ? where partnership = ? and request = ? and person = ?",
                [status, pid, request, person],
            )

    def uid_key(self) -> str:
        """The database's own random key for making UIDs (migration 9 writes it)."""
        if "secrets" not in self.db.table_names():
            with self._writing():
                pass
        return str(self.db.execute("select value from secrets where name = 'uid'").fetchone()[0])

    def intend(self, pid: str, rows: list[dict[str, Any]]) -> None:
        """Note messages about to be handed to the relay (request, recipient, uid, sequence, at): a crash
        before their delivery is recorded leaves them here, so the next send knows they may have gone."""
        with self._writing():
            for row in rows:
                self.db.table("outbox").upsert({"partnership": pid, **row}, pk=("partnership", "request", "recipient"))

    def outbox(self, pid: str) -> dict[tuple[str, str], dict[str, Any]]:
        if "outbox" not in self.db.table_names():
            return {}
        rows = self.db.query("select * from outbox where partnership = ?", [pid])
        return {(r["request"], r["recipient"]): r for r in rows}
