"""A coordinator's bad day in the UI (issue 24), continued: the export screen, stopping a solve, the
settings a coordinator needs on the screen (and remembered), and the words of the history, at 80x24."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.widgets import Input, Select, Static

from scheduler.services import scheduling
from scheduler.today import moment_text
from scheduler.ui import create_app
from scheduler.ui.widgets.confirm import Confirm
from tests.ui.pilot import TODAY, settle, wait_for

SMALL = (80, 24)


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


# -- item 10: the export screen ----------------------------------------------------------------------


async def test_export_says_what_is_left_to_tell_first_and_where_it_writes(solved_copy: Path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("e")
        await settle(pilot)
        lines = str(app.screen.query_one("#preview", Static).render()).splitlines()
        assert not lines[0].startswith("Up to date")  # which read as all done, above "22 new"
        assert lines[0].startswith(f"Files (w) in {tmp_path / 'quorum-calendars'}: to tell 22 new")


async def test_publishing_asks_first_and_says_at_once_what_it_is_doing(solved_copy: Path, monkeypatch) -> None:
    from scheduler.calendars import netlimits, publish

    # A server that takes the connection and never answers: the publish runs until its deadline.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    monkeypatch.setattr(publish, "READ_S", 1.5)
    monkeypatch.setattr(netlimits, "EXCHANGE_S", 1.5)
    app = create_app(solved_copy, today=TODAY)
    try:
        async with app.run_test(size=SMALL) as pilot:
            await pilot.press("e")
            await settle(pilot)
            screen = app.screen
            screen.query_one("#url", Input).value = f"http://127.0.0.1:{silent.getsockname()[1]}/"
            screen.query_one("#password", Input).focus()
            await pilot.press("enter")  # Enter in the password field: asked first, as for e-mail
            await pilot.pause()
            assert isinstance(app.screen, Confirm) and "Publish 22 changed meetings" in app.screen.question
            await pilot.press("y")
            await pilot.pause()
            outcome = screen.query_one("#outcome", Static)
            assert outcome.display and str(outcome.render()).startswith("Publishing to http://127.0.0.1:")
            await wait_for(pilot, lambda: str(outcome.render()).startswith("Nothing was sent"), 30)
    finally:
        silent.close()


# -- item 2: mail security on the screen, and advice in its words ------------------------------------


async def test_a_relay_without_starttls_is_answered_with_the_screens_own_setting(
    solved_copy: Path, smtp_server
) -> None:
    from scheduler.services import settings

    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#smtp-security", Select).value == "starttls"
        screen.query_one("#smtp", Input).value = f"{smtp_server.host}:{smtp_server.port}"
        await pilot.press("m", "y")
        outcome = screen.query_one("#outcome", Static)
        await wait_for(pilot, lambda: str(outcome.render()).startswith("Nothing was sent"))
        said = str(outcome.render())
        assert "does not offer STARTTLS" in said and "choose TLS under Mail security" in said, said
        assert "--security" not in said
        screen.query_one("#smtp-security", Select).value = "none"  # this test relay's own: plain
        await pilot.pause()
        await pilot.press("m", "y")
        await wait_for(pilot, lambda: str(outcome.render()).startswith("Sent"))
    saved = settings.read_settings()  # remembered for next time, never a password
    assert saved.smtp_security == "none" and saved.smtp == f"{smtp_server.host}:{smtp_server.port}"
    assert not [line for line in settings.settings_path().read_text().splitlines() if line.startswith("smtp_pass")]


# -- item 4 and 15: stopping a solve, its time limit ----------------------------------------------------


@pytest.fixture(scope="module")
def slow_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A partnership of 200 staff and 80 requests: a solve of several seconds, to be stopped mid-way."""
    from scheduler.cli import main
    from scheduler.services import partnership as services

    folder = tmp_path_factory.mktemp("slow") / "partnership"
    with pytest.raises(SystemExit) as done:
        main(["generate", str(folder), "--staff", "200", "--requests", "80", "--seed", "1"])
    assert done.value.code == 0
    db = folder.parent / "q.db"
    services.load(db, folder, datetime(2026, 3, 1, tzinfo=UTC))
    return db


@pytest.mark.slow
async def test_quitting_during_a_solve_asks_says_and_keeps_the_best(slow_db: Path) -> None:
    app = create_app(slow_db, today=date(2026, 3, 1), solve_seconds=60)
    said: list[str] = []  # what is printed when the terminal is given back
    real_exit = app.exit
    app.exit = lambda *args, **kwargs: (said.append(str(kwargs.get("message"))), real_exit(*args, **kwargs))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("v", "g")
        solve = app.screen
        await wait_for(pilot, lambda: solve.best is not None)  # found a first schedule, still searching
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, Confirm) and "A solve is running" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert str(solve.query_one("#progress", Static).render()).startswith("Stopping the solve and keeping")
        await wait_for(pilot, lambda: not app.is_running, 90)
    assert said[0].startswith("The solve was stopped when you quit; the best schedule found so far was saved: Placed")
    assert scheduling.stored_schedule(slow_db, None)["meetings"]  # what it had found is stored


async def test_ctrl_c_says_the_quit_key_this_app_has(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert any(n.startswith("Press q to quit") for n in notes(app)), notes(app)
        assert not any("ctrl+q" in n for n in notes(app))


async def test_the_time_limit_is_on_the_solve_screen_and_remembered(solved_copy: Path) -> None:
    from click.testing import CliRunner

    from scheduler.cli.main import cli
    from scheduler.services import settings

    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("v")
        await pilot.pause()
        box = app.screen.query_one("#limit", Input)
        assert box.value == "30"  # one default for the UI, the demo and the CLI
        box.value = "12"
        await pilot.press("g")
        await settle(pilot)
    assert settings.read_settings().solve_seconds == 12
    assert create_app(solved_copy, today=TODAY).services.solve_seconds == 12
    assert "solve_seconds in settings.toml" in CliRunner().invoke(cli, ["solve", "--help"]).output


async def test_the_history_says_when_as_the_command_line_does(solved_copy: Path, run, monkeypatch) -> None:
    monkeypatch.setenv("QUORUM_DB", str(solved_copy))
    scheduling.lock(solved_copy, None, "jv-10530")
    item = scheduling.history(solved_copy, None)[0]
    when = moment_text(datetime.fromisoformat(item["local"]), TODAY)
    assert run("history").out.startswith(f"{when}  jv-10530")
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("s", "h")
        await settle(pilot)
        assert app.screen.query_one("#decisions").get_row_at(0)[0] == when


def test_a_mistake_in_settings_toml_is_said_with_did_you_mean(tmp_path: Path, monkeypatch) -> None:
    from scheduler.errors import UserError
    from scheduler.services import settings

    path = tmp_path / "settings.toml"
    monkeypatch.setenv(settings.ENV_SETTINGS, str(path))
    path.write_text('solve_secnds = 20\nsmtp_password = "x"\n')
    with pytest.raises(UserError) as caught:
        settings.read_settings()
    assert "did you mean 'solve_seconds'?" in caught.value.details[0]
    assert "never keep a password in a file" in caught.value.details[1]


@pytest.mark.slow
async def test_a_closed_terminal_during_a_ui_solve_keeps_the_best_and_leaves_a_note(
    slow_db: Path, tmp_path: Path, monkeypatch
) -> None:
    from scheduler.services import interruptions
    from scheduler.ui import hangups

    db = tmp_path / "q.db"
    db.write_bytes(slow_db.read_bytes())
    ended: list[int] = []
    monkeypatch.setattr(hangups, "exit_now", ended.append)  # the process is pytest's: recorded, not ended
    app = create_app(db, today=date(2026, 3, 1), solve_seconds=60)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("v", "g")
        solve = app.screen
        await wait_for(pilot, lambda: solve.best is not None)
        hangups.hang_up(app)  # what SIGHUP calls, on the main thread, as the signal would
        assert ended == [129]
        await wait_for(pilot, lambda: not solve.running, 60)
    said = interruptions.notes(db)
    assert len(said) == 1 and "was cut short: its terminal closed; the best schedule found so far was saved" in said[0]
    assert scheduling.stored_schedule(db, None)["meetings"]
