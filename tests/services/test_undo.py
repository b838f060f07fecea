"""Undo: every decision a coordinator makes (lock, unlock, move, cancel, request added, changed, removed)
can be taken back, latest first, while nothing else has changed the meeting since."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.services import scheduling
from scheduler.ui import create_app


def state(db: Path) -> dict[str, Any]:
    """Meetings and requests as a coordinator sees them (revisions and stamps left out)."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    meetings = {
        r["request"]: (r["status"], r["start"], r["locked"], r["room"], r["attendees"])
        for r in conn.execute("select * from meetings")
    }
    requests = {r["id"]: r["spec"] for r in conn.execute("select id, spec from requests")}
    conn.close()
    return {"meetings": meetings, "requests": requests}


def test_each_decision_is_undone_latest_first_back_to_where_it_started(solved_copy: Path, run) -> None:
    db = ["--db", str(solved_copy)]
    start = state(solved_copy)
    placed = sorted(r for r, m in start["meetings"].items() if m[0] == "placed" and r.startswith(("jv-", "pm-")))
    movable = next(m["request"] for m in scheduling.stored_schedule(solved_copy, None)["meetings"] if m["alternatives"])
    others = [r for r in placed if r != movable]
    steps = [
        ("lock", others[0]),
        ("move", movable, "--alternative", "1"),
        ("cancel", others[1]),
        ("unlock", others[0]),
        ("request", "edit", others[2], "--duration", "75"),
        ("request", "rm", others[3]),
        ("request", "add", "jv-20001", "--kind", "joint-visit", "--case", "CP-20001", "--earliest", "2026-03-24"),
    ]
    seen = [start]
    for step in steps:
        result = run(*db, *step)
        assert result.code == 0, (step, result.err)
        seen.append(state(solved_copy))
    assert len(run(*db, "history").out.splitlines()) == len(steps)
    for expected in reversed(seen[:-1]):
        result = run(*db, "undo")
        assert result.code == 0, result.err
        assert state(solved_copy) == expected
    nothing = run(*db, "undo")
    assert nothing.code == 2 and "no decision to undo" in nothing.err
    assert all(line.endswith("(undone)") for line in run(*db, "history").out.splitlines())


def test_undo_refuses_when_the_meeting_changed_since(solved_copy: Path, run) -> None:
    db = ["--db", str(solved_copy)]
    target = next(m["request"] for m in scheduling.stored_schedule(solved_copy, None)["meetings"])
    assert run(*db, "cancel", target).code == 0
    assert run(*db, "solve", "--strategy", "greedy", "--reschedule", target).code == 0  # placed again by a solve
    before = state(solved_copy)
    result = run(*db, "undo")
    assert result.code == 2 and "has changed since it was cancelled" in result.err
    assert state(solved_copy) == before


async def test_u_on_the_schedule_undoes_the_last_decision(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=date(2026, 3, 23))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        first = screen.selected
        await pilot.press("l")
        await pilot.pause()
        assert next(m for m in screen.doc["meetings"] if m["request"] == first)["locked"]
        await pilot.press("u")
        await pilot.pause()
        assert not next(m for m in screen.doc["meetings"] if m["request"] == first)["locked"]
