"""The database's own failures in a coordinator's words: read-only, a full disk, a damaged file.

SQLite rolls back the transaction whose write failed, so each of these leaves the database as it was:
the message says so, and what to do. Anything else stays an internal error (a fault in Quorum).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scheduler.errors import UserError

# SQLite's primary result codes (the low byte of an extended code).
READONLY, CORRUPT, FULL, NOTADB, IOERR, CANTOPEN = 8, 11, 13, 26, 10, 14


def problem(path: Path, exc: BaseException) -> UserError | None:
    """The UserError for an SQLite failure a coordinator (or their IT) can put right; None for any other
    (a busy database is told by the store itself, which knows how long it waited)."""
    if not isinstance(exc, sqlite3.Error):
        return None
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(exc).lower()
    if code == READONLY or "readonly" in text or "read-only" in text:
        return UserError(
            f"the database {path} cannot be written (the file, its folder or its disk is read-only); nothing "
            "was changed: make it writable by you (the file mode 600, its folder yours), or copy it to a "
            "writable folder and use --db there"
        )
    if code == FULL or "disk is full" in text:
        return UserError(
            f"the disk holding the database {path} is full; nothing was changed: free some space on it (or "
            "move the database with --db to a disk with room) and run the command again"
        )
    if code in (CORRUPT, NOTADB) or "malformed" in text or "not a database" in text:
        return UserError(
            f"the database {path} is damaged ({exc}); nothing was changed. Keep a copy of the file for IT, "
            "then restore it from a backup, or start a new one (quorum --db NEW.db load FOLDER) and solve "
            "again: decisions and invites sent are in the old file only"
        )
    if code in (IOERR, CANTOPEN):
        return UserError(
            f"the database {path} could not be read or written ({exc}); nothing was changed: check the disk "
            "it is on (removed, full or failing) and try again"
        )
    return None
