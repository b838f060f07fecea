"""The terminal UI driven by Textual's Pilot on the real app and a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from scheduler import scheduling, services
from scheduler.ui import create_app
from tests.conftest import EXAMPLE

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def solved_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("ui") / "q.db"
    services.load(db, EXAMPLE, NOW)
    scheduling.solve(db, None, scheduling.SolveRequest(time_limit_s=20, alternatives=1), now=NOW)
    return db


async def test_dashboard_shows_requests_and_attendance(solved_db: Path) -> None:
    app = create_app(solved_db, today=date(2026, 3, 23))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        states = app.screen.query_one("#states", DataTable)
        assert states.get_row("placed")[1] == "22" and states.get_row("unscheduled")[1] == "3"
        agencies = app.screen.query_one("#agencies", DataTable)
        assert agencies.get_row("police")[0] == "police"


async def test_keys_switch_screens_and_schedule_shows_details(solved_db: Path) -> None:
    app = create_app(solved_db, today=date(2026, 3, 23))
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
    app = create_app(solved_db, today=date(2026, 3, 23))
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
        assert who.startswith("Mon 23 Mar 14:00-15:00 on duty:") and "(police)" in who and "(social-work)" in who
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "Week of Mon 30 Mar 2026" in str(app.screen.query_one("#caption", Static).render())


async def test_help_panel_lists_bindings(solved_db: Path) -> None:
    app = create_app(solved_db, today=date(2026, 3, 23))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query("HelpPanel")
