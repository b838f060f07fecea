"""Publishing to a real Radicale CalDAV server on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import caldav
import pytest

from scheduler.calendars.publish import publish
from scheduler.errors import UserError
from scheduler.services import partnership as services
from scheduler.services import scheduling
from tests.conftest import EXAMPLE, NOW
from tests.servers import PASSWORD, USER, free_port


@pytest.fixture
def solved(solved_copy: Path) -> Path:
    return solved_copy


def collection(url: str, name: str) -> dict[str, caldav.Event]:
    principal = caldav.DAVClient(url=url, username=USER, password=PASSWORD).principal()
    cal = next(c for c in principal.calendars() if str(c.url).rstrip("/").endswith(name))
    return {str(e.icalendar_component["UID"]): e for e in cal.events()}


def uid_of(db: Path, rid: str) -> str:
    from scheduler.store.database import Store

    with Store.open(db) as store:
        return store.versions(store.partnership().id)[rid]["uid"]


def involving(db: Path, team: str) -> set[str]:
    doc = scheduling.stored_schedule(db, None)
    p = services.open_partnership(db)
    members = {x.id for x in p.people if x.team == team}
    return {m["request"] for m in doc["meetings"] if {a["person"] for a in m["attendees"]} & members}


def test_publish_twice_leaves_one_resource_per_meeting(radicale: str, solved: Path) -> None:
    first = publish(solved, None, radicale, USER, PASSWORD, now=NOW)
    assert len(first.created) == 13 + 5 and len(first.new) == 22
    second = publish(solved, None, radicale, USER, PASSWORD, now=NOW)
    assert second.created == [] and second.new == [] and second.changed == [] and second.updated == 0
    for team in ("pvu", "sw-east", "health-visiting"):
        resources = collection(radicale, f"team-{team}")
        expected = {uid_of(solved, rid) for rid in involving(solved, team)}
        assert set(resources) == expected
        for event in resources.values():
            data = event.data
            assert "METHOD" not in data and "ATTENDEE" not in data and "BEGIN:VTIMEZONE" in data


def test_move_updates_in_place_with_sequence_plus_one_and_cancel_marks_cancelled(radicale: str, solved: Path) -> None:
    publish(solved, None, radicale, USER, PASSWORD, now=NOW)
    uid = uid_of(solved, "jv-10482")
    before = collection(radicale, "team-sw-east")[uid]
    assert int(before.icalendar_component["SEQUENCE"]) == 0
    scheduling.move(solved, None, "jv-10482", alternative=1, now=NOW)
    report = publish(solved, None, radicale, USER, PASSWORD, now=NOW)
    assert report.changed == ["jv-10482"]
    after = collection(radicale, "team-sw-east")
    assert len([u for u in after if u == uid]) == 1
    assert str(after[uid].url) == str(before.url)
    assert int(after[uid].icalendar_component["SEQUENCE"]) == 1
    assert after[uid].icalendar_component["DTSTART"].dt != before.icalendar_component["DTSTART"].dt
    scheduling.cancel(solved, None, "jv-10482", now=NOW)
    report = publish(solved, None, radicale, USER, PASSWORD, now=NOW)
    assert report.cancelled == ["jv-10482"]
    cancelled = collection(radicale, "team-sw-east")[uid].icalendar_component
    assert cancelled["STATUS"] == "CANCELLED" and int(cancelled["SEQUENCE"]) == 2


def test_wrong_password_and_server_down_record_nothing(radicale: str, solved: Path) -> None:
    with pytest.raises(UserError, match="refused the user name or password"):
        publish(solved, None, radicale, USER, "wrong", now=NOW)
    with pytest.raises(UserError, match="cannot reach the CalDAV server"):
        publish(solved, None, f"http://127.0.0.1:{free_port()}/", USER, PASSWORD, now=NOW)
    assert sqlite3.connect(solved).execute("select count(*) from deliveries").fetchone()[0] == 0


def test_publish_cli_takes_the_password_from_the_environment(radicale: str, run, monkeypatch) -> None:
    assert run("load", EXAMPLE).code == 0
    assert run("solve", "--strategy", "greedy").code == 0  # what is published matters here, not how placed
    missing = run("publish", "--url", radicale, "--user", USER, "--password-env", "QUORUM_TEST_PASSWORD")
    assert missing.code == 2 and "QUORUM_TEST_PASSWORD is not set" in missing.err
    monkeypatch.setenv("QUORUM_TEST_PASSWORD", PASSWORD)
    result = run("publish", "--url", radicale, "--user", USER, "--password-env", "QUORUM_TEST_PASSWORD")
    assert result.code == 0, result.err
    assert "22 new" in result.out
    no_terminal = run("publish", "--url", radicale, "--user", USER)
    assert no_terminal.code == 2 and "--password-env" in no_terminal.err


def edit_on_server(url: str, team: str, uid: str, summary: str) -> None:
    principal = caldav.DAVClient(url=url, username=USER, password=PASSWORD).principal()
    cal = next(c for c in principal.calendars() if str(c.url).rstrip("/").endswith(team))
    event = next(e for e in cal.events() if str(e.icalendar_component["UID"]) == uid)
    event.icalendar_component["SUMMARY"] = summary
    event.save()


@pytest.mark.slow
def test_publishing_again_sends_only_changes_and_never_overwrites_an_edit_made_on_the_server(
    radicale: str, solved: Path, run, monkeypatch
) -> None:
    first = publish(solved, None, radicale, USER, PASSWORD, now=NOW)
    uid = uid_of(solved, "jv-10482")
    edit_on_server(radicale, "team-sw-east", uid, "Edited by hand on the server")
    scheduling.move(solved, None, "jv-10482", alternative=1, now=NOW)
    report = publish(solved, None, radicale, USER, PASSWORD, now=NOW)
    assert 0 < report.updated < first.updated  # only the moved meeting's resources
    assert len(report.conflicts) == 1 and report.conflicts[0].startswith("team-sw-east: joint-visit-cp-10482-")
    held = collection(radicale, "team-sw-east")[uid].icalendar_component
    assert str(held["SUMMARY"]) == "Edited by hand on the server"
    monkeypatch.setenv("QUORUM_DB", str(solved))
    monkeypatch.setenv("QUORUM_TEST_PASSWORD", PASSWORD)
    again = run("publish", "--url", radicale, "--user", USER, "--password-env", "QUORUM_TEST_PASSWORD")
    assert again.code == 2 and "--overwrite" in again.err and "team-sw-east" in again.err
    forced = run("publish", "--url", radicale, "--user", USER, "--password-env", "QUORUM_TEST_PASSWORD", "--overwrite")
    assert forced.code == 0, forced.err
    held = collection(radicale, "team-sw-east")[uid].icalendar_component
    assert str(held["SUMMARY"]) == "Joint visit CP-10482" and int(held["SEQUENCE"]) == 1


def test_a_publish_does_not_hide_a_change_from_the_folder(radicale: str, solved: Path, tmp_path: Path) -> None:
    from scheduler.calendars.export import export

    export(solved, None, tmp_path / "out", now=NOW)
    scheduling.cancel(solved, None, "jv-10482", now=NOW)
    publish(solved, None, radicale, USER, PASSWORD, now=NOW)
    report = export(solved, None, tmp_path / "out", now=NOW)
    assert report.cancelled == ["jv-10482"]


def test_server_problems_are_told_in_words(radicale: str, solved: Path, tmp_path: Path, run, monkeypatch) -> None:
    import http.server
    import threading

    monkeypatch.setenv("QUORUM_DB", str(solved))
    monkeypatch.setenv("QUORUM_TEST_PASSWORD", PASSWORD)
    secret = run("publish", "--url", radicale.replace("http://", f"http://{USER}:hunter2@"), "--password-env", "X")
    assert secret.code == 2 and "hunter2" not in secret.err and "must not hold a user name or password" in secret.err
    with pytest.raises(UserError, match="403 Forbidden"):
        publish(solved, None, radicale + "someone-else/", USER, PASSWORD, now=NOW)

    class Page(http.server.BaseHTTPRequestHandler):
        def do_PROPFIND(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>Welcome to the intranet</body></html>")

        do_GET = do_PROPFIND

        def log_message(self, *args) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(UserError) as caught:
            publish(solved, None, f"http://127.0.0.1:{server.server_port}/", USER, PASSWORD, now=NOW)
        assert "CalDAV" in caught.value.message and "<html" not in caught.value.message
        assert "intranet" not in caught.value.message
    finally:
        server.shutdown()


def test_a_fresh_radicale_takes_the_users_own_url_before_their_first_login(radicale: str, solved: Path) -> None:
    report = publish(solved, None, f"{radicale}{USER}/", USER, PASSWORD, now=NOW)
    assert len(report.created) == 13 + 5
