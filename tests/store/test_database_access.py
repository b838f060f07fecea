"""The database file: private whatever the umask, and writers that wait for each other instead of failing."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from scheduler.services import scheduling
from scheduler.store import database
from tests.conftest import EXAMPLE


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_folder_are_private_whatever_the_umask(run, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = tmp_path / "new" / "folder" / "quorum.db"
        assert run("--db", db, "load", EXAMPLE).code == 0
    finally:
        os.umask(old)
    assert mode(db) == 0o600 and mode(db.parent) == 0o700


def test_loading_into_a_world_readable_database_makes_it_private(run, tmp_path: Path) -> None:
    db = tmp_path / "quorum.db"
    assert run("--db", db, "load", EXAMPLE).code == 0
    db.chmod(0o666)
    assert run("--db", db, "load", EXAMPLE).code == 0
    assert mode(db) == 0o600


def test_a_writer_blocked_past_the_busy_timeout_exits_2_and_changes_nothing(
    run, solved_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.3)
    holder = sqlite3.connect(solved_copy, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another coordinator in the middle of saving
    try:
        result = run("--db", solved_copy, "lock", "jv-10482")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.code == 2 and "busy" in result.err and "Traceback" not in result.err
    locked = sqlite3.connect(solved_copy).execute("select locked from meetings where request = 'jv-10482'")
    before = locked.fetchone()[0]
    assert run("--db", solved_copy, "lock", "jv-10482").code == 0
    assert sqlite3.connect(solved_copy).execute("select locked from meetings where request = 'jv-10482'").fetchone()[
        0
    ] == 1 and before in (0, 1)


def test_two_writers_at_once_wait_for_each_other(solved_copy: Path) -> None:
    """Deferred transactions that meet halfway fail at once ("database is locked"); immediate ones queue."""
    failures: list[BaseException] = []

    def flip(rid: str) -> None:
        try:
            for i in range(15):
                scheduling.lock(solved_copy, None, rid, i % 2 == 0)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=flip, args=(rid,)) for rid in ("jv-10482", "sd-10482", "jv-10530")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
