"""Replies in the UI: fetched from a Maildir on the export screen (f); on the schedule an answer sent by
someone else is marked unverified, a proposed time is listed, and p moves the meeting there after a yes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from textual.widgets import Input, Static

from scheduler.calendars.export import export
from scheduler.services import scheduling
from scheduler.ui import create_app
from scheduler.ui.widgets.fetch_replies import PasswordPrompt, imap_parts
from tests.calendars import reply_mail
from tests.calendars.test_replies_mailbox import Meeting, maildir_with
from tests.conftest import NOW
from tests.ui.pilot import settle, wait_for

TODAY = date(2026, 3, 1)


async def test_replies_fetched_on_the_export_screen_and_a_proposal_accepted_on_the_schedule(
    solved_copy: Path, tmp_path: Path
) -> None:
    export(solved_copy, None, tmp_path / "out", now=NOW)
    m = Meeting(solved_copy, "jv-10482")
    (_a, a_name, a_email), (b_id, b_name, b_email) = m.who(0), m.who(1)
    meeting = next(x for x in scheduling.stored_schedule(solved_copy, None)["meetings"] if x["request"] == "jv-10482")
    start = datetime.fromisoformat(meeting["alternatives"][0]["start"])
    box = maildir_with(
        tmp_path / "Maildir",
        {
            "new/1.M1.hub": reply_mail.outlook(
                m.uid, a_name, a_email, "TENTATIVE", m.start, m.end, propose=(start, start + (m.end - m.start))
            ),
            "new/2.M2.hub": reply_mail.outlook(
                m.uid, b_name, b_email, "DECLINED", m.start, m.end, sender="pa@elsewhere.example"
            ),
        },
    )
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        outcome = screen.query_one("#outcome", Static)
        screen.query_one("#replies", Input).value = str(box)
        await pilot.press("f")
        await wait_for(pilot, lambda: str(outcome.render()).startswith("Replies"))
        said = str(outcome.render())
        assert said.startswith("Replies: 2 recorded, 0 already known, 0 refused") and "1 proposed times" in said

        await pilot.press("s")
        await settle(pilot)
        app.screen.select("jv-10482")
        await settle(pilot)
        detail = str(app.screen.query_one("#detail", Static).render())
        assert "declined, unverified: sent by pa@elsewhere.example" in detail
        assert "Proposed times (p moves it to the first):" in detail and f"by {a_name}" in detail
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("n")  # asked first, as every move is: no moves nothing
        await settle(pilot)
        stored = next(
            x for x in scheduling.stored_schedule(solved_copy, None)["meetings"] if x["request"] == "jv-10482"
        )
        assert datetime.fromisoformat(stored["start"]) == datetime.fromisoformat(meeting["start"])
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        stored = next(
            x for x in scheduling.stored_schedule(solved_copy, None)["meetings"] if x["request"] == "jv-10482"
        )
        assert datetime.fromisoformat(stored["start"]) == start and stored["locked"]
        assert "Proposed times" not in str(app.screen.query_one("#detail", Static).render())
        assert b_id  # the unverified answer stays recorded, marked as such


async def test_an_imap_mailbox_on_the_export_screen_asks_for_its_password(solved_copy: Path, monkeypatch) -> None:
    monkeypatch.delenv("QUORUM_IMAP_PASSWORD", raising=False)
    assert imap_parts("imaps://hub@mail.example.org:993/Replies") == ("mail.example.org", 993, "hub", "Replies")
    app = create_app(solved_copy, today=TODAY)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#replies", Input).value = "imaps://hub@127.0.0.1:1/INBOX"
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, PasswordPrompt))
        await pilot.press("escape")  # given up: nothing read, nothing said to have failed
        await pilot.pause()
        assert not isinstance(app.screen, PasswordPrompt)
        app.screen.query_one("#replies", Input).value = "imap://hub@127.0.0.1/INBOX"
        await pilot.press("f")
        await pilot.pause()
        assert not isinstance(app.screen, PasswordPrompt)  # refused: only over TLS
