"""A coordinator's bad day in the UI at 80x24 (issue 24): every message readable where it appears, and
every piece of advice something to do on the screen in front of them (keys, fields), never a command."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Select, Static

from scheduler.services import requests
from scheduler.ui import create_app
from scheduler.ui.screens.request_form import RequestForm
from scheduler.ui.widgets.confirm import Confirm
from tests.ui.pilot import TODAY, settle
from tests.ui.screen_text import screen_lines, screen_text

SMALL = (80, 24)


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def on_schedule(pilot, request: str):
    await pilot.press("s")
    await settle(pilot)
    screen = pilot.app.screen
    screen.select(request)
    await settle(pilot)
    return screen


# -- item 1 and 2: why a request was not placed, read in full and said as keys -------------------------


async def test_the_reason_a_request_was_not_placed_can_be_read_to_its_end(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        screen = await on_schedule(pilot, "rcpc-10298")
        box = screen.query_one("#detail-box")
        await pilot.pause(0.2)
        assert box.max_scroll_y > 0 and "Tab" in str(box.border_subtitle)  # there is more, and how to read it
        await pilot.press("tab")
        assert app.focused is box
        await pilot.press("end")
        await pilot.pause(0.2)
        assert box.scroll_y == box.max_scroll_y
        lines = screen_lines(app)
        left = next(line.index("╭") for line in lines if "╭" in line)
        inside = " ".join(
            " ".join(line[left + 1 :].strip("│ ▁▂▃▄▅▆▇█").split()) for line in lines if line[left : left + 1] == "│"
        )
        # The last piece of advice, in full, on the screen: not cut at the border.
        assert inside.endswith("press Enter on rcpc-10298 in Requests (a), then tick Off duty"), inside


async def test_the_advice_says_keys_and_fields_never_a_command(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        screen = await on_schedule(pilot, "rcpc-10298")
        detail = str(screen.query_one("#detail", Static).render())
        assert "press Enter on rcpc-10298 in Requests (a), then change Latest" in detail, detail
        assert "quorum " not in detail and " --" not in detail


# -- item 3: a request whose window has passed ------------------------------------------------------


async def test_saving_a_request_whose_window_has_passed_asks_first(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await app.change_request("jv-10530")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RequestForm)
        form.query_one("#earliest", Input).value = "2026-03-02"
        form.query_one("#latest", Input).value = "2026-03-06"
        await pilot.pause()
        assert "it could never be placed" in str(form.query_one("#error-latest", Static).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, Confirm) and "could never be placed" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is form  # nothing saved: back in the form to change the dates
    _, rows, _ = requests.list_requests(solved_copy, None)
    assert next(r for r in rows if r["id"] == "jv-10530")["spec"]["latest"] != "2026-03-06"


# -- items 5 and 6: the request form ------------------------------------------------------------------


async def test_a_refused_save_shows_and_names_the_problem_below_the_fold(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        form.query_one("#kind", Select).value = "custom"  # no agency it must have: nobody invited is a problem
        for name, value in (("id", "mt-90001"), ("case", "CP-90001"), ("earliest", "2026-03-30")):
            form.query_one(f"#{name}", Input).value = value
        form.query_one("#latest", Input).value = "2026-04-02"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert "Not saved: Invite: invite at least one person or role slot" in notes(app)[-1]
        assert "invite at least one person or role slot" in screen_text(app)  # scrolled into sight


async def test_the_change_form_does_not_select_the_case_reference(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await app.change_request("jv-10530")
        await settle(pilot)
        case = app.screen.query_one("#case", Input)
        assert case.has_focus and case.value == "CP-10530"
        await pilot.press("9")
        assert case.value == "CP-105309"  # typed at the end, not over the whole reference


# -- item 11: keys ----------------------------------------------------------------------------------


async def test_the_keys_list_starts_with_this_screens_keys_and_the_footer_keeps_its_width(
    solved_copy: Path,
) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await on_schedule(pilot, "jv-10530")
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        lines = screen_lines(app)
        panel = [line[line.rindex("▏") + 1 :].strip() for line in lines if "▏" in line[:-12]]
        listed = [x for x in panel if x]
        assert listed[:3] == ["This screen", "/ Search", "l Lock"], listed
        shown = "\n".join(lines)
        assert "Page Left" not in shown and "Copy selected text" not in shown and "^q" not in shown
        assert lines[-1].startswith("/ Search l Lock c Cancel") and lines[-1].rstrip().endswith("^p palette")


async def test_end_goes_to_the_last_row_and_the_search_gives_the_keys_back(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        screen = await on_schedule(pilot, "jv-10530")
        table = screen.query_one("#meetings", DataTable)
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == table.row_count - 1 and table.scroll_x == 0  # 'when' still in sight
        await pilot.press("slash", *"cp-10305", "down")
        await pilot.pause()
        assert table.has_focus  # ↓ leaves the search for the list
        await pilot.press("l")
        await settle(pilot)
        assert next(m for m in screen.doc["meetings"] if m["request"] == "rcpc-10305")["locked"]


# -- item 12: who is on duty --------------------------------------------------------------------------


async def test_who_is_on_duty_fills_the_screen_and_scrolls(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await settle(pilot)
        heat = app.screen.query_one("#heat", DataTable)
        heat.move_cursor(row=2, column=14 - 7 + 1)  # Wednesday 14:00: twenty social workers on duty
        await pilot.pause(0.2)
        box = app.screen.query_one("#who-box")
        assert box.size.height >= 15
        shown = screen_text(app)
        assert "Youth Service (example) (" in shown  # every agency, not the first one's names and a border
    async with create_app(solved_copy, today=TODAY).run_test(size=SMALL) as pilot:
        app = pilot.app
        await pilot.press("o")
        await settle(pilot)
        app.screen.query_one("#heat", DataTable).move_cursor(row=2, column=14 - 7 + 1)
        await pilot.pause(0.2)
        box = app.screen.query_one("#who-box")
        assert box.max_scroll_y > 0
        await pilot.press("tab")
        assert app.focused is box  # and so the rest can be read


# -- item 13: words ------------------------------------------------------------------------------------


async def test_kinds_and_agencies_read_as_coordinators_say_them(solved_copy: Path) -> None:
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("a")
        await settle(pilot)
        table = app.screen.query_one("#requests", DataTable)
        assert table.get_row("pm-10549")[1] == "profs' mtg"  # as on the schedule, not "professionals-meeti"
        await pilot.press("d")
        await settle(pilot)
        agencies = app.screen.query_one("#agencies", DataTable)
        assert agencies.get_row("social-work")[0] == "Children's Social Work (example)"
