"""Finding things and reading them at 80 columns: / search, the palette that opens what it finds, the
decisions' history, the rota codes, the solver's figures kept apart, and nothing cut off the footer."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static
from textual.widgets._footer import FooterKey

from scheduler.services import scheduling
from scheduler.services.search import index, matches
from scheduler.ui import create_app
from scheduler.ui.screens.history import HistoryScreen
from scheduler.ui.screens.request_form import RequestForm
from scheduler.ui.widgets.confirm import Confirm
from tests.ui.pilot import TODAY, settle, wait_for

OSEI_REQUESTS = {"sd-10495", "icpc-10495", "cg-10495"}  # Kwame Osei is invited to these three


def rows(table: DataTable) -> list[str]:
    return [str(k.value) for k in table.rows]


def test_a_search_needs_every_word_somewhere_in_any_order_and_case() -> None:
    assert matches("osei cp-10495", ["sd-10495", "CP-10495", "Kwame Osei"])
    assert matches("", ["anything"])
    assert not matches("osei cp-10482", ["sd-10495", "CP-10495", "Kwame Osei"])


def test_the_palette_index_finds_requests_by_invitee_cases_and_people(solved_copy: Path) -> None:
    entries = index(solved_copy, None)
    found = {e.key for e in entries if e.kind == "request" and matches("osei", e.fields)}
    assert found == OSEI_REQUESTS
    case = next(e for e in entries if e.kind == "case" and e.key == "CP-10482")
    assert {"sd-10482", "jv-10482"} <= set(case.fields)
    person = next(e for e in entries if e.kind == "person" and e.key == "sw-osei")
    assert person.title == "Kwame Osei (sw-osei)" and "West district social work team" in person.detail


async def test_slash_filters_the_request_list_and_escape_brings_everything_back(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        table = app.screen.query_one("#requests", DataTable)
        assert table.row_count == 25 and table.has_focus  # keys go to the list, not the hidden search box
        await pilot.press("slash", *"osei")
        await pilot.pause()
        assert set(rows(table)) == OSEI_REQUESTS
        assert str(app.screen.query_one("#search-count", Static).render()) == "3 of 25 requests"
        await pilot.press("enter")  # back to the list, still filtered
        await pilot.pause()
        assert table.has_focus and table.row_count == 3
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert table.row_count == 25 and not app.screen.query_one("#search-bar").display


async def test_slash_filters_the_schedule_by_case_and_the_rotas_by_team_name(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("slash", *"CP-10482", "enter")
        await pilot.pause()
        meetings = app.screen.query_one("#meetings", DataTable)
        assert set(rows(meetings)) == {"sd-10482", "jv-10482", "icpc-10482", "cg-10482"}
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("slash", *"vulnerability", "enter")  # part of a team's name, not its id
        await pilot.pause()
        rota = app.screen.query_one("#rota", DataTable)
        assert 0 < rota.row_count < 50
        assert all("Partnership Vulnerability Unit" in str(rota.get_row(k)[-1]) for k in rota.rows)


async def test_the_palette_opens_a_case_a_person_and_a_request_where_they_are_shown(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)

        async def choose(text: str) -> None:
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*text)
            await pilot.pause(0.5)
            await pilot.press("enter")
            await settle(pilot)

        await choose("CP-10482")
        assert app.current_mode == "requests" and app.screen.search_text == "CP-10482"
        assert set(rows(app.screen.query_one("#requests", DataTable))) == {
            "sd-10482",
            "jv-10482",
            "icpc-10482",
            "cg-10482",
        }
        await choose("Kwame Osei")
        assert app.current_mode == "rotas"
        assert rows(app.screen.query_one("#rota", DataTable)) == ["sw-osei"]
        await choose("cg-10290")
        assert app.current_mode == "schedule" and app.screen.selected == "cg-10290"
        assert "cg-10290" in str(app.screen.query_one("#detail", Static).render())


async def test_the_palette_cancels_a_meeting_after_asking(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"cancel jv-10482")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await settle(pilot)
    assert scheduling.stored_schedule(solved_copy, None)["cancelled"][0]["request"] == "jv-10482"


async def test_history_lists_decisions_and_undoes_them(solved_copy: Path) -> None:
    scheduling.cancel(solved_copy, None, "jv-10482")
    scheduling.lock(solved_copy, None, "sd-10482")
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#decisions", DataTable)
        assert [str(table.get_row_at(i)[1]) for i in range(2)] == ["sd-10482", "jv-10482"]
        await pilot.press("u", "u")
        await pilot.pause()
        assert [str(table.get_row_at(i)[3]) for i in range(2)] == ["undone", "undone"]
        await pilot.press("escape")
        await settle(pilot)
        assert "jv-10482" in rows(app.screen.query_one("#meetings", DataTable))  # the schedule shows it back
    doc = scheduling.stored_schedule(solved_copy, None)
    assert not doc["cancelled"] and not next(m for m in doc["meetings"] if m["request"] == "sd-10482")["locked"]


async def test_a_cancel_leaves_the_cursor_where_the_meeting_was(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.query_one("#meetings", DataTable)
        table.move_cursor(row=3)
        await pilot.pause()
        following = rows(table)[4]
        await pilot.press("c", "y")
        await settle(pilot)
        assert table.cursor_row == 3 and app.screen.selected == following


async def test_rota_codes_are_explained_and_names_stay_while_the_days_scroll(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        rota = app.screen.query_one("#rota", DataTable)
        assert rota.fixed_columns == 1
        assert [c.label.plain for c in rota.columns.values()][:2] == ["person", "Mon 23"]
        rota.move_cursor(row=rota.get_row_index("dc-patel"))
        await pilot.pause()
        person = str(app.screen.query_one("#person", Static).render())
        assert "West Yorkshire Police (example)" in person and "E Early 07:00-16:00 · L Late" in person
        await pilot.press("c")
        await pilot.pause()
        codes = str(app.screen.query_one("#codes", Static).render())
        for words in ("HD Hospital long day 08:00-20:00", "TD School day 08:30-16:00", "SL Super late", "TR "):
            assert words in codes


async def test_the_solver_figures_are_details_a_coordinator_asks_for(solved_copy: Path) -> None:
    doc = scheduling.solve(solved_copy, None, scheduling.SolveRequest(strategy="greedy"))
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await pilot.pause()
        screen = app.screen
        screen.finished(doc, None)
        await pilot.pause()
        result = str(screen.query_one("#result", Static).render())
        assert result.startswith("Placed 22 of 25 requests") and "objective" not in result
        assert not screen.query_one("#figures", Static).display
        await pilot.press("i")
        await pilot.pause()
        figures = screen.query_one("#figures", Static)
        assert figures.display and "objective" in str(figures.render())


async def test_the_heatmap_starts_on_an_hour_and_says_which_hours(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await settle(pilot)
        assert app.screen.query_one("#heat", DataTable).cursor_coordinate.column == 1
        assert "07:00-23:00, a column an hour" in str(app.screen.query_one("#caption", Static).render())
        assert str(app.screen.query_one("#who", Static).render()).startswith("Mon 23 Mar 07:00-08:00 on duty")


async def test_escape_asks_before_dropping_a_half_filled_form(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestForm))
        await pilot.press("escape")  # nothing typed: leaves at once
        await pilot.pause()
        assert app.current_mode == "requests" and not isinstance(app.screen, RequestForm)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestForm))
        await pilot.press(*"jv-2", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("n")  # No: back to the form, with what was typed
        await pilot.pause()
        assert isinstance(app.screen, RequestForm) and app.screen.value("id") == "jv-2"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert not isinstance(app.screen, (RequestForm, Confirm))


async def test_every_screen_keeps_its_keys_the_date_and_quit_in_80_columns(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.sub_title.startswith("Mon 23 Mar 2026")  # a narrow title cuts its end, not the date
        for key in "darovse":
            await pilot.press(key)
            await settle(pilot)
            keys = list(app.screen.query(FooterKey))
            assert keys and all(k.region.right <= 80 for k in keys), key
            assert any(k.key == "q" for k in keys), key
            nav = str(app.screen.query_one(".nav", Static).render())
            assert "d Dashboard" in nav and "e Export" in nav and len(nav) <= 78


async def test_the_export_screens_examples_do_not_read_as_filled_in(solved_copy: Path, monkeypatch) -> None:
    from textual.widgets import Input

    for name in ("QUORUM_CALDAV_URL", "QUORUM_SMTP"):
        monkeypatch.delenv(name, raising=False)
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await settle(pilot)
        for field in ("url", "smtp"):
            box = app.screen.query_one(f"#{field}", Input)
            assert box.value == "" and box.placeholder.startswith("e.g. ")
