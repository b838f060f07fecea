"""The terminal UI driven by Textual's Pilot on the real app and a real database."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from scheduler.services import scheduling
from scheduler.ui import create_app
from tests.ui.pilot import TODAY, settle, wait_for


@pytest.fixture(scope="module")
def solved_db(_solved_example: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's solved example (conftest), copied once for this module's screens to read."""
    db = tmp_path_factory.mktemp("ui") / "q.db"
    shutil.copyfile(_solved_example, db)
    return db


async def test_dashboard_shows_requests_and_attendance(solved_db: Path) -> None:
    app = create_app(solved_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)  # the dashboard's figures load off the UI thread
        states = app.screen.query_one("#states", DataTable)
        assert states.get_row("placed")[1] == "22" and states.get_row("unscheduled")[1] == "3"
        agencies = app.screen.query_one("#agencies", DataTable)
        assert agencies.get_row("police")[0] == "West Yorkshire Police (example)"  # its name, not its id


async def test_keys_switch_screens_and_schedule_shows_details(solved_db: Path) -> None:
    app = create_app(solved_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        table = app.screen.query_one("#meetings", DataTable)
        assert table.row_count == 25
        detail = str(app.screen.query_one("#detail", Static).render())
        first = str(table.coordinate_to_cell_key((0, 0)).row_key.value)
        assert detail.startswith(first) and "+ " in detail
        table.move_cursor(row=table.row_count - 1)  # the unscheduled requests come last
        await pilot.pause()
        detail = str(app.screen.query_one("#detail", Static).render())
        assert "not placed" in detail
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.query("#states")


async def test_overlap_heatmap_and_who_is_on_duty(solved_db: Path) -> None:
    app = create_app(solved_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        heat = app.screen.query_one("#heat", DataTable)
        assert heat.row_count == 7
        caption = str(app.screen.query_one("#caption", Static).render())
        assert "Week of Mon 23 Mar 2026" in caption
        # Monday 14:00: police (lates) and social work both on duty.
        heat.move_cursor(row=0, column=14 - 7 + 1)
        await pilot.pause()
        who = str(app.screen.query_one("#who", Static).render())
        assert who.startswith("Mon 23 Mar 14:00-15:00 on duty:") and "West Yorkshire Police (example) (" in who
        assert "Children's Social Work (example) (" in who
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "Week of Mon 30 Mar 2026" in str(app.screen.query_one("#caption", Static).render())


async def test_help_panel_lists_bindings(solved_db: Path) -> None:
    app = create_app(solved_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query("KeysPanel")
        await pilot.press("question_mark")  # ? closes it again
        await pilot.pause()
        assert not app.screen.query("KeysPanel")
        await pilot.press("question_mark", "escape")  # and so does Escape
        await pilot.pause()
        assert not app.screen.query("KeysPanel")


@pytest.fixture
def own_db(solved_db: Path, tmp_path: Path) -> Path:
    """A copy of the solved database for a test that changes it."""
    copy = tmp_path / "q.db"
    shutil.copyfile(solved_db, copy)
    return copy


async def test_solve_runs_in_a_worker_and_the_ui_stays_responsive(own_db: Path, monkeypatch) -> None:
    import threading

    # The real solver, held at the start until the UI has been seen working meanwhile: on a fast machine the
    # example solves in under a second, so a fixed pause could not tell "in a worker" from "already done".
    go = threading.Event()
    real_solve = scheduling.solve

    def held_solve(*args, **kwargs):
        assert go.wait(60)
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(scheduling, "solve", held_solve)
    app = create_app(own_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("v")
        await pilot.press("g")
        screen = app.screen
        await wait_for(pilot, lambda: str(screen.query_one("#progress", Static).render()).startswith("Running"))
        assert screen.running  # the timer redrew while the solver works
        await pilot.press("g")  # a key handled during the solve: refused politely
        assert screen.running and screen.best is None  # still held: the second g did not start another solve
        go.set()
        await wait_for(pilot, lambda: not screen.running)
        result = str(screen.query_one("#result", Static).render())
        assert result.startswith("Placed 22 of 25 requests")


async def test_cancel_keeps_the_best_schedule_so_far(own_db: Path) -> None:
    app = create_app(own_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("v", "g")
        await pilot.pause(0.3)
        await pilot.press("x")
        await wait_for(pilot, lambda: not app.screen.running)
        assert str(app.screen.query_one("#result", Static).render()).startswith("Placed ")


async def test_lock_move_and_cancel_from_the_schedule(own_db: Path) -> None:
    app = create_app(own_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        first = screen.selected
        await pilot.press("l")
        await pilot.pause()
        assert "[locked]" in str(screen.query_one("#detail", Static).render())
        before = next(m for m in screen.doc["meetings"] if m["request"] == first)
        await pilot.press("1")  # asks first; No is the default
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert next(m for m in screen.doc["meetings"] if m["request"] == first)["start"] == before["start"]
        await pilot.press("1", "y")
        await pilot.pause()
        after = next(m for m in screen.doc["meetings"] if m["request"] == first)
        assert after["start"] == before["alternatives"][0]["start"] and after["locked"]
        await pilot.press("c")  # asks first; No is the default
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert first in {m["request"] for m in screen.doc["meetings"]}
        assert screen.selected == first  # the refresh after the dialog keeps the cursor where it was
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert first not in {m["request"] for m in screen.doc["meetings"]}


async def test_rotas_grid_shows_shift_codes_and_absences(solved_db: Path) -> None:
    app = create_app(solved_db, today=date(2026, 3, 30))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        table = app.screen.query_one("#rota", DataTable)
        assert table.row_count == 50
        patel = [str(c) for c in table.get_row("dc-patel")]
        assert patel[0] == "DC Anita Patel" and patel[1:6] == ["N*", "N*", "R*", "R*", "R*"]  # on leave, marked
        adeyemi = [str(c) for c in table.get_row("sw-adeyemi")]
        assert adeyemi[1:8] == ["D", "D", "D", "D", "BH", "-", "-"]  # Good Friday, then the weekend
        table.move_cursor(row=table.get_row_index("dc-patel"))
        await pilot.pause()
        assert "leave" in str(app.screen.query_one("#person", Static).render())


async def test_export_previews_then_writes(own_db: Path, tmp_path: Path) -> None:
    from textual.widgets import Input

    app = create_app(own_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        preview = str(app.screen.query_one("#preview", Static).render())
        assert preview.splitlines()[0].startswith(f"Files (w) in {Path.cwd() / 'quorum-calendars'}: to tell 22 new")
        app.screen.query_one("#folder", Input).value = str(tmp_path / "cal")
        await pilot.press("w")
        outcome = app.screen.query_one("#outcome", Static)
        await wait_for(pilot, lambda: outcome.display)  # written by a worker
        assert (tmp_path / "cal" / "teams").is_dir()
        assert str(outcome.render()).startswith("Wrote ")
        preview = str(app.screen.query_one("#preview", Static).render())
        assert f"Files (w) in {tmp_path / 'cal'}: nothing to change (22 meetings written)" in preview
        assert "CalDAV calendars (p): to tell 22 new" in preview and "E-mail (m): " in preview


async def test_screen_keys_work_on_the_export_screen(own_db: Path) -> None:
    from textual.widgets import Input

    app = create_app(own_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        folder = app.screen.query_one("#folder", Input)
        assert not folder.has_focus
        await pilot.press("tab", "w", "escape", "d")
        await pilot.pause()
        assert folder.value.endswith("w")  # typed into the field, not taken as "write"
        assert app.screen.query("#states")  # back on the dashboard
