"""Two coordinators on one database: decisions made while a solve runs are kept, never overwritten.

The solve runs in this process and is held, after it has read everything and before it saves, while
other processes (the real ``quorum`` command) lock, move, cancel, edit, remove, reload and add. When
it is let go, its save must keep every one of those decisions and say which meetings it left alone.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from scheduler.services import scheduling
from tests.conftest import EXAMPLE


def quorum(db: Path, *args: str, wait: bool = True) -> subprocess.CompletedProcess | subprocess.Popen:
    command = [sys.executable, "-m", "scheduler", "--db", str(db), *args]
    if not wait:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def rows(db: Path) -> dict[str, dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    out = {r["request"]: dict(r) for r in conn.execute("select * from meetings")}
    conn.close()
    return out


def request_ids(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    out = {r[0] for r in conn.execute("select id from requests")}
    conn.close()
    return out


def without_request(folder: Path, rid: str) -> None:
    """Remove one [[requests]] block from the folder's requests.toml."""
    path = folder / "requests.toml"
    blocks = re.split(r"(?m)^(?=\[\[requests\]\])", path.read_text())
    kept = [b for b in blocks if f'id = "{rid}"' not in b]
    assert len(kept) == len(blocks) - 1
    path.write_text("".join(kept))


class HeldSolve:
    """``scheduling.solve`` in a thread, stopped between planning and saving until ``release``."""

    def __init__(self, db: Path, monkeypatch: pytest.MonkeyPatch, job: scheduling.SolveRequest) -> None:
        self.planned, self.go = threading.Event(), threading.Event()
        self.doc: dict[str, Any] | None = None
        self.error: BaseException | None = None
        real_plan = scheduling.plan

        def held_plan(*args: Any, **kwargs: Any) -> dict[str, Any]:
            doc = real_plan(*args, **kwargs)
            self.planned.set()
            assert self.go.wait(120)
            return doc

        monkeypatch.setattr(scheduling, "plan", held_plan)
        self.thread = threading.Thread(target=self._run, args=(db, job))
        self.thread.start()
        assert self.planned.wait(120), "the solve never finished planning"

    def _run(self, db: Path, job: scheduling.SolveRequest) -> None:
        try:
            self.doc = scheduling.solve(db, None, job)
        except BaseException as exc:
            self.error = exc

    def release(self) -> dict[str, Any]:
        self.go.set()
        self.thread.join(120)
        if self.error is not None:
            raise self.error
        assert self.doc is not None
        return self.doc


def test_every_decision_made_during_a_solve_is_kept(
    solved_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = solved_copy
    before = rows(db)
    # Joint visits and professionals' meetings: nothing follows them, so any may be removed. Solves vary.
    placed = sorted(
        rid
        for rid, m in before.items()
        if m["status"] == "placed" and rid.startswith(("jv-", "pm-")) and rid != "pm-10552"
    )
    movable = next(rid for rid in placed if json.loads(before[rid]["alternatives"] or "[]"))
    to_lock, to_cancel, to_edit, to_remove = [rid for rid in placed if rid != movable][:4]
    folder = tmp_path / "leeds"
    shutil.copytree(EXAMPLE, folder)
    without_request(folder, "pm-10552")

    held = HeldSolve(db, monkeypatch, scheduling.SolveRequest(strategy="greedy", time_limit_s=20))

    # Another coordinator, meanwhile, from another process.
    assert quorum(db, "load", str(folder)).returncode == 0  # pm-10552 is no longer asked for
    assert quorum(db, "lock", to_lock).returncode == 0
    moved = quorum(db, "move", movable, "--alternative", "1")
    assert moved.returncode == 0, moved.stderr
    assert quorum(db, "cancel", to_cancel).returncode == 0
    assert quorum(db, "request", "edit", to_edit, "--duration", "75").returncode == 0
    assert quorum(db, "request", "rm", to_remove).returncode == 0
    add = ("request", "add", "jv-20001", "--kind", "joint-visit", "--case", "CP-20001", "--earliest", "2026-03-24")
    adders = [quorum(db, *add, "--invite", who, wait=False) for who in ("sw-osei", "sw-lam")]
    results = [(p.wait(120), *p.communicate()) for p in adders]
    decided = rows(db)

    doc = held.release()
    after = rows(db)

    # Exactly one of the two adds of the same id succeeded; the other was told, and nothing was lost.
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    assert any("already exists" in err for code, _, err in results if code == 2)
    assert "jv-20001" in request_ids(db)
    # Each decision stands exactly as it was made.
    for rid in (to_lock, movable, to_cancel, to_edit, to_remove, "pm-10552"):
        for key in ("status", "start", "end", "locked", "room", "attendees"):
            assert after[rid][key] == decided[rid][key], (rid, key)
    assert after[to_lock]["locked"] == 1
    assert after[movable]["locked"] == 1 and after[movable]["start"] != before[movable]["start"]
    assert after[to_cancel]["status"] == "cancelled"
    assert after["pm-10552"]["status"] == "cancelled" and "pm-10552" not in request_ids(db)
    assert after[to_remove]["status"] == "cancelled" and to_remove not in request_ids(db)
    # ... and the solve says which it left alone, and does not show its own answer for them as the schedule.
    reported = {x["request"] for x in doc["not_saved"]}
    assert {to_lock, movable, to_cancel, to_edit, to_remove, "pm-10552"} <= reported
    assert not reported & {m["request"] for m in doc["meetings"]}
    # A later solve places the edited request again, with its new length.
    scheduling.solve(db, None, scheduling.SolveRequest(strategy="greedy"))
    again = rows(db)
    assert again[to_lock]["locked"] == 1 and again[to_cancel]["status"] == "cancelled"


def test_a_solve_across_a_reload_with_other_rotas_saves_nothing(
    solved_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "leeds"
    shutil.copytree(EXAMPLE, folder)
    people = folder / "people.toml"
    people.write_text(people.read_text().replace('name = "', 'name = "Renamed ', 1))
    before = rows(solved_copy)
    held = HeldSolve(solved_copy, monkeypatch, scheduling.SolveRequest(strategy="greedy"))
    assert quorum(solved_copy, "load", str(folder)).returncode == 0
    with pytest.raises(Exception, match="reloaded with changes") as caught:
        held.release()
    assert getattr(caught.value, "exit_code", None) == 2
    after = rows(solved_copy)
    assert {k: (v["start"], v["status"]) for k, v in after.items()} == {
        k: (v["start"], v["status"]) for k, v in before.items()
    }


def test_two_adds_of_one_id_from_two_coordinators_keep_one_and_refuse_the_other(solved_copy: Path) -> None:
    add = ("request", "add", "jv-20002", "--kind", "joint-visit", "--case", "CP-20002", "--earliest", "2026-03-24")
    for _ in range(3):
        procs = [quorum(solved_copy, *add, "--invite", who, wait=False) for who in ("sw-osei", "sw-lam", "sw-ruiz")]
        outcomes = [(p.wait(120), *p.communicate()) for p in procs]
        assert sorted(code for code, _, _ in outcomes) == ([0, 2, 2] if _ == 0 else [2, 2, 2]), outcomes
        assert all("Traceback" not in err for _, _, err in outcomes)


def test_an_edit_of_a_request_changed_since_it_was_read_is_refused(solved_copy: Path) -> None:
    from scheduler.errors import UserError
    from scheduler.services import requests

    _, listed, _ = requests.list_requests(solved_copy, None)
    row = next(r for r in listed if r["id"] == "jv-10482")
    assert quorum(solved_copy, "request", "edit", "jv-10482", "--duration", "100").returncode == 0
    with pytest.raises(UserError, match="changed by someone else"):
        requests.put_request(solved_copy, None, {**row["spec"], "duration": 80}, replace=True, revision=row["revision"])
    _, listed, _ = requests.list_requests(solved_copy, None)
    assert next(r for r in listed if r["id"] == "jv-10482")["spec"]["duration"] == 100


def test_an_add_that_loses_the_race_for_its_id_is_refused_not_merged(
    solved_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other coordinator's add lands between this add's check and its write (the window that lost
    one of two same-id adds): this one must be refused, theirs kept."""
    from scheduler.errors import UserError
    from scheduler.services import requests

    real_check = requests.check_request
    add = ("request", "add", "jv-20003", "--kind", "joint-visit", "--case", "CP-20003", "--earliest", "2026-03-24")

    def check_then_lose_the_race(*args: Any, **kwargs: Any) -> Any:
        out = real_check(*args, **kwargs)
        assert quorum(solved_copy, *add, "--invite", "sw-osei").returncode == 0
        return out

    monkeypatch.setattr(requests, "check_request", check_then_lose_the_race)
    spec = {"id": "jv-20003", "kind": "joint-visit", "case": "CP-20003", "earliest": "2026-03-24"}
    with pytest.raises(UserError, match="already exists"):
        requests.put_request(solved_copy, None, {**spec, "invite": [{"person": "sw-lam"}]}, replace=False)
    _, listed, _ = requests.list_requests(solved_copy, None)
    assert next(r for r in listed if r["id"] == "jv-20003")["spec"]["invite"] == [{"person": "sw-osei"}]


async def test_a_coordinator_in_the_ui_and_one_at_the_cli_lose_nothing(
    solved_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The UI solves (held after planning) while the CLI locks and cancels: the UI's save keeps both."""
    import asyncio
    import time
    from datetime import date

    from textual.widgets import Static

    from scheduler.ui import create_app

    before = rows(solved_copy)
    placed = sorted(rid for rid, m in before.items() if m["status"] == "placed" and rid.startswith(("jv-", "pm-")))
    to_lock, to_cancel = placed[:2]
    planned, go = threading.Event(), threading.Event()
    real_plan = scheduling.plan

    def held_plan(*args: Any, **kwargs: Any) -> dict[str, Any]:
        doc = real_plan(*args, **kwargs)
        planned.set()
        assert go.wait(120)
        return doc

    monkeypatch.setattr(scheduling, "plan", held_plan)
    app = create_app(solved_copy, today=date(2026, 3, 23))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("v", "g")
        deadline = time.monotonic() + 120
        while not planned.is_set():
            assert time.monotonic() < deadline, "the UI's solve never planned"
            await pilot.pause(0.1)
        for args in (("lock", to_lock), ("cancel", to_cancel)):
            done = await asyncio.to_thread(quorum, solved_copy, *args)
            assert done.returncode == 0, done.stderr
        decided = rows(solved_copy)
        go.set()
        screen = app.screen
        while screen.running:
            assert time.monotonic() < deadline, "the UI's solve never finished"
            await pilot.pause(0.1)
        assert str(screen.query_one("#result", Static).render()).startswith("Placed ")
    after = rows(solved_copy)
    assert after[to_lock]["locked"] == 1 and after[to_lock]["start"] == decided[to_lock]["start"]
    assert after[to_cancel]["status"] == "cancelled"
