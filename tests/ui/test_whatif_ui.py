"""The What if screen: Pilot drives the real app on a real database; a picture of it at 80x24."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from scheduler.ui import create_app
from tests.conftest import ROOT
from tests.ui.pilot import TODAY, settle

SCENARIO = "examples/leeds/scenarios/sw-late-duty.toml"  # relative: the picture is the same on any machine


async def compared(pilot, scenario: str) -> None:
    """Go to the screen (t), type the scenario's path, Enter, and wait for the comparison."""
    await pilot.press("t")
    await settle(pilot)
    box = pilot.app.screen.query_one("#scenario", Input)
    box.value = scenario
    box.focus()
    await pilot.press("enter")
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


async def test_what_if_compares_a_scenario_and_writes_the_report(
    loaded_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    app = create_app(loaded_db, today=TODAY)
    stored = loaded_db.read_bytes()
    async with app.run_test(size=(80, 24)) as pilot:
        await compared(pilot, SCENARIO)
        result = str(app.screen.query_one("#result", Static).render())
        assert "What if: East district social work" in result and "police + social-work" in result
        assert "Compared: East district" in str(app.screen.query_one("#status", Static).render())
        app.screen.query_one("#report-folder", Input).value = str(tmp_path / "board")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert (tmp_path / "board" / "report.html").is_file()
        # A bad scenario: the problem and its line are shown, the screen stays usable.
        bad = tmp_path / "bad.toml"
        bad.write_text('name = "x"\n\n[[teams]]\nid = "pvuu"\noffset = 1\n')
        await compared(pilot, str(bad))
        shown = str(app.screen.query_one("#result", Static).render())
        assert f"{bad}:4:" in shown and "did you mean 'pvu'" in shown
    assert loaded_db.read_bytes() == stored  # a comparison writes nothing to the database


def test_what_if_at_80x24(
    snap_compare, loaded_db: Path, plain_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await compared(pilot, SCENARIO)

    assert snap_compare(create_app(loaded_db, today=TODAY), terminal_size=(80, 24), run_before=run_before)
