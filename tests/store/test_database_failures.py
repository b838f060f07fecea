"""A read-only database, a full disk and a damaged page are exit 2 with what to do in lock, solve, request
add, export and undo, with nothing half-recorded. Real failures: a small tmpfs filled to the last byte,
then remounted read-only (so skipped where this cannot be mounted), and garbage written over the root page
of the table a command needs."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

COMMANDS = {
    "lock": (["lock", "sd-10482"], "meetings"),
    "solve": (["solve", "--strategy", "greedy"], "meetings"),
    "request add": (
        [
            "request",
            "add",
            "x-1",
            "--kind",
            "custom",
            "--case",
            "CP-10001",
            "--earliest",
            "2026-03-23",
            "--latest",
            "2026-03-27",
            "--invite",
            "sw-adeyemi",
        ],
        "requests",
    ),
    "export": (["export", "--out", "{out}"], "versions"),
    "undo": (["undo"], "decisions"),
}


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs of its own, unmounted afterwards (skipped where mounting is not allowed)."""
    where = tmp_path / "disk"
    where.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder: Path) -> None:
    """Every byte of the filesystem used (what a full disk is)."""
    with (folder / "filler").open("wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass


def prepared(solved_copy: Path, where: Path, run, monkeypatch) -> Path:
    """The solved example, one lock made (for undo to take back), copied to ``where`` as QUORUM_DB."""
    monkeypatch.setenv("QUORUM_DB", str(solved_copy))
    assert run("lock", "jv-10482").code == 0
    db = where / "q.db"
    shutil.copy(solved_copy, db)
    monkeypatch.setenv("QUORUM_DB", str(db))
    return db


def args(name: str, out: Path) -> list[str]:
    return [a.replace("{out}", str(out)) for a in COMMANDS[name][0]]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_full_disk_then_a_read_only_one(name: str, solved_copy: Path, disk: Path, tmp_path: Path, run, monkeypatch):
    db = prepared(solved_copy, disk, run, monkeypatch)
    before = dump(db)
    fill(disk)
    out = tmp_path / "out"
    full = run(*args(name, out))
    assert full.code == 2, (full.out, full.err)
    assert "is full; nothing was changed" in full.err and "free some space" in full.err
    assert "Internal error" not in full.err
    assert dump(db) == before
    assert not list(out.rglob("*.ics"))  # nothing written that the database could not record
    (disk / "filler").unlink()
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    readonly = run(*args(name, out))
    assert readonly.code == 2, (readonly.out, readonly.err)
    assert "cannot be written" in readonly.err and "read-only" in readonly.err and "nothing was changed" in readonly.err
    assert dump(db) == before
    assert not list(out.rglob("*.ics"))


def corrupt(db: Path, table: str) -> None:
    """Garbage over the root page of ``table``: SQLite then says the database disk image is malformed."""
    conn = sqlite3.connect(db)
    page_size = conn.execute("pragma page_size").fetchone()[0]
    (root,) = conn.execute("select rootpage from sqlite_master where name = ?", [table]).fetchone()
    conn.close()
    with db.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_damaged_page(name: str, solved_copy: Path, tmp_path: Path, run, monkeypatch) -> None:
    (tmp_path / "here").mkdir()
    db = prepared(solved_copy, tmp_path / "here", run, monkeypatch)
    corrupt(db, COMMANDS[name][1])
    result = run(*args(name, tmp_path / "out"))
    assert result.code == 2, (result.out, result.err)
    assert "is damaged" in result.err and "restore it from a backup" in result.err
    assert "Internal error" not in result.err and "Traceback" not in result.err
    assert not list((tmp_path / "out").rglob("*.ics"))
