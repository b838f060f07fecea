"""The coordinator's flows through the UI, driven by Pilot on the real app and real SQLite files:
start on an empty database, load a folder, write a request through the form, publish to CalDAV."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, SelectionList, Static

from scheduler.services import partnership as services
from scheduler.services import requests, scheduling
from scheduler.ui import create_app
from scheduler.ui.screens.request_form import RequestForm
from scheduler.ui.screens.welcome import WelcomeScreen
from tests.conftest import EXAMPLE
from tests.servers import PASSWORD, USER, free_port
from tests.ui.pilot import TODAY, settle, wait_for


def shown_errors(app) -> dict[str, str]:
    """The form's problems on screen, by field."""
    return {
        (e.id or "").removeprefix("error-"): str(e.render())
        for e in app.screen.query(".field-error").results(Static)
        if e.display
    }


async def type_into(pilot, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await pilot.pause()


def stored_spec(db: Path, rid: str) -> dict | None:
    _, rows, _ = requests.list_requests(db, None)
    return next((r["spec"] for r in rows if r["id"] == rid), None)


# -- start: the welcome screen --------------------------------------------------------------------


async def test_empty_database_welcomes_and_loads_the_example(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    app = create_app(db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("s")  # nothing to schedule yet: the screen keys wait for a partnership
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("e")  # the example (not the export screen, which waits for a partnership)
        await wait_for(pilot, lambda: app.screen.query("#states"))
        await settle(pilot)
        assert app.screen.query_one("#states", DataTable).get_row("pending")[1] == "25"
    assert services.loaded_partnerships(db) == ["leeds-example"]


async def test_a_broken_folder_is_explained_and_nothing_is_loaded(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(EXAMPLE, broken)
    people = broken / "people.toml"
    people.write_text(people.read_text().replace('team = "pvu"', 'team = "no-such-team"', 1))
    db = tmp_path / "new.db"
    app = create_app(db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_into(pilot, "#folder", str(broken))
        await pilot.press("enter")
        problems = app.screen.query_one("#problems", Static)
        await wait_for(pilot, lambda: problems.display)
        text = str(problems.render())
        assert "nothing was loaded" in text and "people.toml" in text and "no-such-team" in text
        assert isinstance(app.screen, WelcomeScreen)
    assert services.loaded_partnerships(db) == []


async def test_picking_a_folder_in_the_tree_fills_the_path(tmp_path: Path) -> None:
    (tmp_path / "partnerships" / "leeds").mkdir(parents=True)
    (tmp_path / "partnerships" / "notes.txt").write_text("not a folder")
    app = create_app(tmp_path / "new.db", today=TODAY)
    app.services.browse_from = tmp_path / "partnerships"
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one("#tree")
        await wait_for(pilot, lambda: len(tree.root.children) == 1)  # folders only: no notes.txt
        await pilot.press("down")
        await pilot.pause()
        assert app.screen.query_one("#folder", Input).value == str(tmp_path / "partnerships" / "leeds")


# -- the request editor -----------------------------------------------------------------------------


async def test_new_request_through_the_form_with_validation(loaded_db: Path) -> None:
    app = create_app(loaded_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RequestForm)
        await pilot.press("ctrl+s")  # empty: refused, each problem beside its field
        await pilot.pause()
        errors = shown_errors(app)
        assert "id" in errors and "case" in errors
        assert isinstance(app.screen, RequestForm)

        await type_into(pilot, "#id", "sd-20001")
        await type_into(pilot, "#case", "Smith family")
        assert "never put a child's or family's name here" in shown_errors(app)["case"]
        await type_into(pilot, "#case", "CP-20001")
        await type_into(pilot, "#earliest", "2026-03-40")
        assert "is not a date" in shown_errors(app)["earliest"]
        await type_into(pilot, "#earliest", "2026-03-26")
        await type_into(pilot, "#latest", "2026-03-25")
        assert "ends before it starts" in shown_errors(app)["latest"]
        await type_into(pilot, "#latest", "2026-03-27")
        # Invite from the searchable list: "pvu" narrows it to that unit's officers and the team itself.
        await type_into(pilot, "#invitee-search", "pvu patel")
        listing = app.screen.query_one("#invitee-list", SelectionList)
        assert listing.option_count == 1
        await pilot.press("tab")  # from the search to the list
        assert listing.has_focus
        await pilot.press("space")
        await pilot.pause()
        await type_into(pilot, "#invitee-search", "")
        assert "DC Anita Patel" in str(app.screen.query_one("#invitee-summary", Static).render())
        assert stored_spec(loaded_db, "sd-20001") is None  # nothing saved while editing
        assert shown_errors(app) == {}
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, RequestForm)
        table = app.screen.query_one("#requests", DataTable)
        assert table.get_row("sd-20001")[3] == "pending"
    spec = stored_spec(loaded_db, "sd-20001")
    assert spec == {
        "id": "sd-20001",
        "kind": "strategy-discussion",
        "case": "CP-20001",
        "earliest": "2026-03-26",
        "latest": "2026-03-27",
        "invite": [{"person": "dc-patel"}],
    }


async def test_kind_preset_fills_defaults_and_escape_saves_nothing(loaded_db: Path) -> None:
    app = create_app(loaded_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert form.query_one("#duration", Input).value == "60"
        form.query_one("#kind", Select).value = "joint-visit"
        await pilot.pause()
        assert form.query_one("#duration", Input).value == "90"
        assert form.query_one("#venue", Input).value == "family home"
        assert form.query_one("#travel", Input).value == "30"
        form.query_one("#window", Select).value = "working_days"
        await pilot.pause()
        assert not form.query_one("#latest", Input).parent.display
        assert form.query_one("#of", Input).parent.display
        await type_into(pilot, "#id", "jv-20002")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RequestForm)
    assert stored_spec(loaded_db, "jv-20002") is None


async def test_change_an_existing_request_from_the_list(loaded_db: Path) -> None:
    before = stored_spec(loaded_db, "jv-10530")
    assert before is not None
    app = create_app(loaded_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        table = app.screen.query_one("#requests", DataTable)
        table.move_cursor(row=table.get_row_index("jv-10530"))
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RequestForm)
        assert form.query_one("#id", Input).disabled and form.query_one("#case", Input).value == "CP-10530"
        await type_into(pilot, "#duration", "120")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, RequestForm)
    after = stored_spec(loaded_db, "jv-10530")
    assert after == {**before, "duration": 120}


async def test_remove_a_request_after_confirming(loaded_db: Path) -> None:
    app = create_app(loaded_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        table = app.screen.query_one("#requests", DataTable)
        table.move_cursor(row=table.get_row_index("pm-10549"))
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("n")  # No: kept
        await pilot.pause()
        assert stored_spec(loaded_db, "pm-10549") is not None
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert stored_spec(loaded_db, "pm-10549") is None


# -- the command palette, and the whole flow ---------------------------------------------------------


async def test_command_palette_offers_the_main_actions(loaded_db: Path) -> None:
    app = create_app(loaded_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("Go to Overlap (o)", "New request (n)", "Solve now", "Write calendars"):
            assert wanted in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"New request")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestForm))


async def test_publish_to_caldav_from_the_export_screen(loaded_db: Path, radicale: str) -> None:
    scheduling.solve(loaded_db, None, scheduling.SolveRequest(time_limit_s=5, strategy="greedy"))
    app = create_app(loaded_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        outcome = screen.query_one("#outcome", Static)
        screen.query_one("#url", Input).value = f"http://127.0.0.1:{free_port()}/"  # nobody listening
        screen.query_one("#user", Input).value = USER
        screen.query_one("#password", Input).value = PASSWORD
        await pilot.press("p", "y")  # publishing asks first, as sending does
        await wait_for(pilot, lambda: str(outcome.render()).startswith("Nothing was sent"))
        assert str(outcome.render()).startswith("Nothing was sent: cannot reach the CalDAV server")
        assert "the connection was refused" in str(outcome.render())  # in words, not ConnectionRefusedError
        screen.query_one("#url", Input).value = radicale
        await pilot.press("p", "y")
        await wait_for(pilot, lambda: str(outcome.render()).startswith("Published"))
        assert "CalDAV calendars (p): nothing to change" in str(screen.query_one("#preview", Static).render())
    rows = sqlite3.connect(loaded_db).execute("select count(*) from deliveries where channel = 'caldav'")
    assert rows.fetchone()[0] > 0


async def test_send_by_email_from_the_export_screen(loaded_db: Path, smtp_server, monkeypatch) -> None:
    """m asks first (n sends nothing), then y sends every invitation through the relay, with progress."""
    monkeypatch.setenv("QUORUM_SMTP_SECURITY", "none")
    scheduling.solve(loaded_db, None, scheduling.SolveRequest(time_limit_s=5, strategy="greedy"))
    app = create_app(loaded_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        outcome = screen.query_one("#outcome", Static)
        preview = str(screen.query_one("#preview", Static).render())
        planned = int(preview.split("E-mail (m): ")[1].split()[0])
        assert planned > 0
        screen.query_one("#smtp", Input).value = f"{smtp_server.host}:{smtp_server.port}"
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert smtp_server.take() == [] and not outcome.display
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: str(outcome.render()).startswith("Sent"))
        assert str(outcome.render()) == f"Sent {planned} of {planned} e-mails"
        assert len(smtp_server.take()) == planned
        assert "E-mail (m): nothing to send" in str(screen.query_one("#preview", Static).render())


async def test_the_screens_fit_80x24_without_colour(loaded_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every screen composes and shows its main widget in a small terminal with NO_COLOR set."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = create_app(loaded_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        for key, widget in (
            ("d", "#states"),
            ("a", "#requests"),
            ("r", "#rota"),
            ("o", "#heat"),
            ("v", "#progress"),
            ("s", "#meetings"),
            ("e", "#preview"),
        ):
            await pilot.press(key)
            await pilot.pause()
            region = app.screen.query_one(widget).region
            assert region.width > 0 and region.height > 0 and region.right <= 80 and region.bottom <= 24, key
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one("#case", Input).region.right <= 80


async def test_rotas_filter_and_heatmap_agencies(loaded_db: Path) -> None:
    app = create_app(loaded_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.query_one("#rota", DataTable).row_count == 50
        await pilot.press("f")
        await pilot.pause()
        choices = app.screen.query_one("#choices", SelectionList)
        choices.select("team:pvu")
        await pilot.pause()
        prompts = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert "picked: Partnership Vulnerability Unit (team, police)" in prompts  # in words, not only colour
        await pilot.press("enter")
        await pilot.pause()
        rota = app.screen.query_one("#rota", DataTable)
        assert rota.row_count == 5 and "(only Partnership Vulnerability Unit)" in str(
            app.screen.query_one("#rota_caption", Static).render()
        )

        await pilot.press("o")
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        choices = app.screen.query_one("#choices", SelectionList)
        choices.deselect_all()
        choices.select("police")
        choices.select("social-work")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        caption = str(app.screen.query_one("#caption", Static).render())
        assert "of these 2 have someone on duty: West Yorkshire Police (example), Children's Social Work" in caption
        heat = app.screen.query_one("#heat", DataTable)
        assert max(int(str(c)) for row in range(7) for c in heat.get_row_at(row)[1:]) == 2


async def test_a_keymap_remaps_bindings_by_id(loaded_db: Path, tmp_path: Path) -> None:
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('solve = "f5"\nschedule = "f6"\n')
    app = create_app(loaded_db, today=TODAY, keymap_file=keymap)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert app.screen.query("#progress")  # the Solve screen
        await pilot.press("f6")
        await pilot.pause()
        assert app.screen.query("#meetings")


def test_a_bad_keymap_is_reported_before_the_ui_starts(loaded_db: Path, tmp_path: Path) -> None:
    from scheduler.errors import UserError

    keymap = tmp_path / "keymap.toml"
    keymap.write_text('solv = "f5"\nschedule = 6\n')
    with pytest.raises(UserError) as caught:
        create_app(loaded_db, keymap_file=keymap)
    assert "2 problems" in caught.value.message
    assert any("solv: no binding has this id; did you mean 'solve'?" in d for d in caught.value.details)
    assert any("schedule: give keys such as" in d for d in caught.value.details)
    keymap.write_text("solve = \n")
    with pytest.raises(UserError, match="not valid TOML"):
        create_app(loaded_db, keymap_file=keymap)


def paths(spec: object, at: str = "") -> set[str]:
    """Every key a request spec uses, with where it is ("invite[].required", "within.of_request") and
    the type of its value: what the form has to carry over."""
    if isinstance(spec, dict):
        return {p for k, v in spec.items() for p in paths(v, f"{at}.{k}" if at else k)}
    if isinstance(spec, list):
        return {p for v in spec for p in paths(v, f"{at}[]")}
    return {f"{at}:{type(spec).__name__}"}


async def test_the_form_keeps_example_requests_of_every_shape_as_they_are(loaded_db: Path) -> None:
    """Opening a request and saving without a change must not alter it (slots with labels, optional
    invitees, deadlines relative to another meeting are all kept). The requests opened between them use
    every key any example request uses, each kind among them: a form takes a second to draw, and all 25
    took half a minute to check the same keys."""
    _, rows, _ = requests.list_requests(loaded_db, None)
    wanted = set().union(*(paths(r["spec"]) | {f"kind={r['spec']['kind']}"} for r in rows))
    each: list[dict] = []
    while wanted:  # the request covering most of what is still unchecked, until nothing is
        row = max(rows, key=lambda r: len((paths(r["spec"]) | {f"kind={r['spec']['kind']}"}) & wanted))
        each.append(row)
        wanted -= paths(row["spec"]) | {f"kind={row['spec']['kind']}"}
    app = create_app(loaded_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        for row in each:
            form = RequestForm(row["id"])
            await app.push_screen(form)
            await pilot.pause()
            assert form.build() == row["spec"], row["id"]
            assert shown_errors(app) == {}, row["id"]
            form.dismiss(None)
            await pilot.pause()


async def test_loading_a_second_partnership_switches_to_it(loaded_db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(EXAMPLE, other)
    toml = other / "partnership.toml"
    toml.write_text(toml.read_text().replace('id = "leeds-example"', 'id = "leeds-copy"', 1))
    app = create_app(loaded_db, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.switch_mode("welcome")  # as the palette's "Load a partnership folder" does
        await pilot.pause()
        await type_into(pilot, "#folder", str(other))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.query("#states"))
        await settle(pilot)
        assert app.services.partnership == "leeds-copy"
        assert app.screen.query_one("#states", DataTable).get_row("pending")[1] == "25"
    assert sorted(services.loaded_partnerships(loaded_db)) == ["leeds-copy", "leeds-example"]


def test_every_binding_id_in_the_ui_can_be_remapped() -> None:
    """The ids keymap.toml accepts are read from the classes themselves: every class in the UI package that
    declares a binding with an id, found by importing every module, is among them (none kept by hand)."""
    import importlib
    import pkgutil

    from textual.binding import Binding

    import scheduler.ui
    from scheduler.ui.keymap import binding_ids

    declared: set[str] = set()
    for info in pkgutil.walk_packages(scheduler.ui.__path__, "scheduler.ui."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                declared |= {b.id for b in value.__dict__.get("BINDINGS", []) if isinstance(b, Binding) and b.id}
    assert declared and declared <= binding_ids()
