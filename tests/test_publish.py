"""Publishing to a real Radicale CalDAV server on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import caldav
import pytest

from scheduler.calendars.publish import publish
from scheduler.errors import UserError
from scheduler.services import partnership as services
from scheduler.services import scheduling
from tests.conftest import EXAMPLE, PASSWORD, USER, free_port

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def solved(tmp_path: Path) -> Path:
    db = tmp_path / "q.db"
    services.load(db, EXAMPLE, NOW)
    scheduling.solve(db, None, scheduling.SolveRequest(time_limit_s=20, alternatives=1), now=NOW)
    return db


def collection(url: str, name: str) -> dict[str, caldav.Event]:
    principal = caldav.DAVClient(url=url, username=USER, password=PASSWORD).principal()
    cal = next(c for c in principal.calendars() if str(c.url).rstrip("/").endswith(name))
    return {str(e.icalendar_component["UID"]): e for e in cal.events()}


def involving(db: Path, team: str) -> set[str]:
    doc = scheduling.stored_schedule(db, None)
    p = services.open_partnership(db)
    members = {x.id for x in p.people if x.team == team}
    return {m["request"] for m in doc["meetings"] if {a["person"] for a in m["attendees"]} & members}


def test_publish_twice_leaves_one_resource_per_meeting(radicale: str, solved: Path) -> None:
    first = publish(solved, None, radicale, USER, PASSWORD, now=NOW)
    assert len(first.created) == 13 + 5 and len(first.new) == 22
    second = publish(solved, None, radicale, USER, PASSWORD, now=NOW)
    assert second.created == [] and second.new == [] and second.changed == []
    for team in ("pvu", "sw-east", "health-visiting"):
        resources = collection(radicale, f"team-{team}")
        expected = {f"quorum-leeds-example-{rid}@example.org" for rid in involving(solved, team)}
        assert set(resources) == expected
        for event in resources.values():
            data = event.data
            assert "METHOD" not in data and "ATTENDEE" not in data and "BEGIN:VTIMEZONE" in data


def test_move_updates_in_place_with_sequence_plus_one_and_cancel_marks_cancelled(radicale: str, solved: Path) -> None:
    publish(solved, None, radicale, USER, PASSWORD, now=NOW)
    uid = "quorum-leeds-example-jv-10482@example.org"
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
    assert sqlite3.connect(solved).execute("select count(*) from sent").fetchone()[0] == 0


def test_publish_cli_takes_the_password_from_the_environment(radicale: str, run, monkeypatch) -> None:
    assert run("load", EXAMPLE).code == 0
    assert run("solve", "--time-limit", "20").code == 0
    missing = run("publish", "--url", radicale, "--user", USER, "--password-env", "QUORUM_TEST_PASSWORD")
    assert missing.code == 2 and "QUORUM_TEST_PASSWORD is not set" in missing.err
    monkeypatch.setenv("QUORUM_TEST_PASSWORD", PASSWORD)
    result = run("publish", "--url", radicale, "--user", USER, "--password-env", "QUORUM_TEST_PASSWORD")
    assert result.code == 0, result.err
    assert "22 new" in result.out
    no_terminal = run("publish", "--url", radicale, "--user", USER)
    assert no_terminal.code == 2 and "--password-env" in no_terminal.err
