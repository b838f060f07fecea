"""Screenshots of every screen at 100x30 on the example with a frozen 'today', compared with the SVGs
stored beside this file (Textual is pinned exactly, so a difference is a change in Quorum).

After a deliberate change to a screen, look at the new pictures, then accept them with
`python -m pytest tests/ui/test_ui_snapshots.py -n 0 --snapshot-update`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scheduler.services import partnership as services
from scheduler.services import scheduling
from scheduler.ui import create_app
from tests.conftest import EXAMPLE, NOW
from tests.ui.pilot import TODAY, settle

SIZE = (100, 30)


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example, placed by the greedy solver: deterministic, so the pictures are too."""
    db = tmp_path_factory.mktemp("snap") / "q.db"
    services.load(db, EXAMPLE, NOW)
    scheduling.solve(db, None, scheduling.SolveRequest(strategy="greedy", alternatives=1), now=NOW)
    return db


@pytest.fixture(autouse=True)
def _plain_environment(plain_environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")  # the export screen names its folder's whole path: the same on every machine


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param(["d"], id="dashboard"),
        pytest.param(["a"], id="requests"),
        pytest.param(["r"], id="rotas"),
        pytest.param(["o"], id="overlap"),
        pytest.param(["v"], id="solve"),
        pytest.param(["s"], id="schedule"),
        pytest.param(["e"], id="export"),
        pytest.param("request-form", id="request-form"),
        pytest.param(["question_mark"], id="help"),
    ],
)
def test_screen(snap_compare, example_db: Path, keys: list[str] | str) -> None:
    app = create_app(example_db, today=TODAY)
    if keys == "request-form":
        assert snap_compare(app, terminal_size=SIZE, run_before=pressed_steadily("n"))
        return
    assert snap_compare(app, press=keys, terminal_size=SIZE, run_before=settle)


@pytest.mark.parametrize(
    "keys",
    [
        # The narrowest terminal Quorum is for: every screen's name and key in the bar, the footer's keys
        # (q Quit last) in one line, the date in the title.
        pytest.param(["s"], id="schedule"),
        pytest.param(["r"], id="rotas"),  # names stay, the days fit, the team follows further right
        pytest.param(["r", "c"], id="rota-codes"),  # what each agency's codes mean
        pytest.param(["a", "slash", *"osei", "enter"], id="requests-searched"),
        pytest.param(["s", "h"], id="history"),
    ],
)
def test_screen_at_80x24(snap_compare, example_db: Path, keys: list[str]) -> None:
    app = create_app(example_db, today=TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=pressed_steadily(*keys))


def pressed_steadily(*keys: str):
    """Press ``keys``, then show every input's cursor steadily: a blinking one is caught on or off depending on
    how long the picture took (half a second either way), which made the form's pictures fail on a busy
    machine."""

    async def run_before(pilot) -> None:
        from textual.widgets import Input

        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run_before


def test_request_form_with_problems(snap_compare, example_db: Path) -> None:
    app = create_app(example_db, today=TODAY)
    keys = ["n", *"sd-1", "tab", "tab", *"Smith", "ctrl+s"]
    assert snap_compare(app, terminal_size=SIZE, run_before=pressed_steadily(*keys))


def test_welcome(snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths, so the picture does not depend on where the tests run."""
    shutil.copytree(EXAMPLE, tmp_path / "partnerships" / "leeds")
    monkeypatch.chdir(tmp_path)
    app = create_app(Path("quorum.db"), today=TODAY)
    app.services.browse_from = Path("partnerships")
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)
