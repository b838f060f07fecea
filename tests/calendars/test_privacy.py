"""Nothing private leaves: a marker planted in every absence reason and free-text field is found nowhere an
attendee can read (the export folder, the CalDAV server's own storage, the e-mails as received), while the
coordinator's own view keeps every reason. A partnership may opt a kind of reason in; never sickness."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from scheduler.calendars.export import MANIFEST, export
from scheduler.calendars.mail import Relay, send
from scheduler.calendars.publish import publish
from scheduler.services import partnership as services
from scheduler.services import scheduling
from scheduler.store.database import Store
from tests.conftest import BASE_FILES, NOW, write_folder
from tests.servers import PASSWORD, USER, Mailbox

MARK = "zqxmarker"  # lower case: reasons are lower-cased on their way into words ("rest day zqxmarker")

PEOPLE = ["leave", "sick", "court", "training", "other", "busy", "clash"]
NAMES = dict(
    zip(PEOPLE, ["Ada Lamb", "Bea Nunn", "Cy Ord", "Di Pope", "Ed Quill", "Flo Reed", "Gus Shaw"], strict=True)
)


def _person(pid: str, role: str = "Social worker") -> str:
    return f"""
        [[people]]
        id = "p-{pid}"
        name = "{NAMES[pid]}"
        email = "{pid}@example.org"
        team = "district"
        role = "{role}"
    """


FILES = {
    "partnership.toml": BASE_FILES["partnership.toml"].replace(
        "start = 2026-01-05", f'name = "Spring {MARK}"\n        start = 2026-01-05'
    ),
    "agencies.toml": BASE_FILES["agencies.toml"]
    .replace('"Rest day"', f'"Rest day {MARK}"')
    .replace('"Night"', f'"Night {MARK}"')
    .replace('"Office day"', f'"Office day {MARK}"'),
    "people.toml": BASE_FILES["people.toml"] + "".join(_person(x, f"Worker {MARK}") for x in PEOPLE),
    "absences.csv": "person,start,end,kind\n"
    + "".join(
        f"p-{who},2026-03-12,2026-03-12,{kind}\n"
        for who, kind in [
            ("leave", "leave"),
            ("sick", "sickness"),
            ("court", "court"),
            ("training", "training"),
            ("other", "other"),
        ]
    ),
    "busy/p-busy.ics": f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:busy-1@example.org
DTSTAMP:20260301T000000Z
DTSTART:20260312T090000Z
DTEND:20260312T120000Z
SUMMARY:Home visit to the {MARK} family
END:VEVENT
END:VCALENDAR
""",
    "requests.toml": f"""
        [[requests]]
        id = "{MARK}-other"
        kind = "custom"
        urgency = "urgent"  # placed first, so p-clash is there
        case = "CP-1002"
        earliest = 2026-03-12
        latest = 2026-03-12
        fixed = 2026-03-12T10:00:00
        notes = "{MARK} again"
        invite = [{{ person = "p-clash" }}]

        [[requests]]
        id = "{MARK}-slot"
        kind = "custom"
        case = "CP-1003"
        earliest = 2026-03-13
        latest = 2026-03-13
        slots = [{{ team = "district", label = "{MARK} slot" }}]

        [[requests]]
        id = "{MARK}-family"
        kind = "professionals-meeting"
        case = "CP-1001"
        earliest = 2026-03-12
        latest = 2026-03-12
        fixed = 2026-03-12T10:00:00
        venue = "{MARK} primary school"
        notes = "{MARK}: the family at 12 Acacia Road"
        invite = [
            {{ person = "worker" }},
            {{ person = "officer", required = false }},
            {{ person = "p-leave", required = false }},
            {{ person = "p-sick", required = false }},
            {{ person = "p-court", required = false }},
            {{ person = "p-training", required = false }},
            {{ person = "p-other", required = false }},
            {{ person = "p-busy", required = false }},
            {{ person = "p-clash", required = false }},
        ]
    """,
}


def solved(tmp_path: Path, settings: str = "") -> Path:
    files = dict(FILES)
    if settings:
        files["partnership.toml"] = files["partnership.toml"].replace(
            'bank_holidays = "GB-ENG"', f'bank_holidays = "GB-ENG"\n[settings]\n{settings}'
        )
    folder = write_folder(tmp_path / "p", files)
    db = tmp_path / "q.db"
    services.load(db, folder, NOW)
    scheduling.solve(db, None, scheduling.SolveRequest(strategy="greedy"), now=NOW)
    return db


def absent(db: Path) -> dict[str, dict]:
    """The coordinator's view of who cannot come to the main meeting, and why."""
    doc = scheduling.stored_schedule(db, None)
    meeting = next(m for m in doc["meetings"] if m["request"] == f"{MARK}-family")
    return {x["person"]: x for x in meeting["absent"]}


def readable(msg: EmailMessage) -> str:
    """Everything an attendee's mail program can show: every header and every part, decoded."""
    out = [f"{k}: {v}" for k, v in msg.items()]
    for part in msg.walk():
        out += [f"{k}: {v}" for k, v in part.items()]
        if not part.is_multipart():
            content = part.get_content()
            out.append(content.decode("utf-8", "replace") if isinstance(content, bytes) else content)
    return "\n".join(out)


@pytest.mark.slow
def test_a_marker_in_every_reason_and_free_text_reaches_no_attendee(
    tmp_path: Path, radicale: str, smtp_server: Mailbox, run, monkeypatch
) -> None:
    db = solved(tmp_path)
    reasons = absent(db)
    # The coordinator's view names every reason, the marker in the rota's words and the other meeting's id.
    assert set(reasons) == {"officer", *(f"p-{x}" for x in PEOPLE)}
    assert reasons["p-sick"]["detail"] == "off sick" and reasons["p-leave"]["detail"] == "on leave"
    assert MARK in reasons["officer"]["detail"] and MARK in reasons["p-clash"]["detail"]
    monkeypatch.setenv("QUORUM_DB", str(db))
    shown = run("schedule").out
    assert "off sick" in shown and "at court" in shown and MARK in shown

    out = tmp_path / "out"
    export(db, None, out, now=NOW)
    publish(db, None, radicale, USER, PASSWORD, now=NOW)
    report = send(db, None, Relay(smtp_server.host, smtp_server.port, security="none"), now=NOW)
    assert report.sent and not report.refused
    mails = smtp_server.take()

    written = {p: p.read_bytes().decode("utf-8") for p in out.rglob("*") if p.is_file()}
    stored = {
        p: p.read_bytes().decode("utf-8", "replace") for p in (tmp_path / "collections").rglob("*") if p.is_file()
    }
    received = {f"mail to {rcpts}": readable(msg) for _s, rcpts, msg in mails}
    assert any(MARK not in str(p) and "BEGIN:VEVENT" in text for p, text in stored.items())  # CalDAV got events
    everything = {**{str(k): v for k, v in written.items()}, **{str(k): v for k, v in stored.items()}, **received}
    words = ["off sick", "sick", "on leave", "at court", "training", "away", "busy in their calendar", "rest day"]
    for where, text in everything.items():
        lowered = text.lower()
        assert MARK not in lowered, where
        assert "acacia" not in lowered, where
        for word in words:
            assert word not in lowered, (where, word)
    # Attendees read that someone cannot come, and the case reference; the manifest names no request.
    invite = next(text for p, text in written.items() if p.parent.name == "invites" and "CP-1001" in text)
    assert "Cannot attend: Bea Nunn (social-work)" in invite.replace("\r\n ", "")
    manifest = json.loads((out / MANIFEST).read_text())
    assert MARK not in json.dumps(manifest)


def test_a_partnership_may_share_a_kind_of_reason_but_never_sickness(tmp_path: Path, folder, run) -> None:
    db = solved(tmp_path, 'share_absence_reasons = ["leave", "meetings"]')
    out = tmp_path / "out"
    export(db, None, out, now=NOW)
    with Store.open(db) as store:
        name = store.versions(store.partnership().id)[f"{MARK}-family"]["event"]["name"]
    text = (out / "invites" / f"{name}.ics").read_bytes().decode().replace("\r\n ", "").lower()
    assert "ada lamb (social-work): on leave" in text
    assert "gus shaw (social-work): at another meeting" in text  # in fixed words: no request id
    assert "off sick" not in text and "at court" not in text and MARK not in text
    assert "cannot attend: bea nunn (social-work)\\n" in text

    sick = FILES["partnership.toml"].replace(
        'bank_holidays = "GB-ENG"',
        'bank_holidays = "GB-ENG"\n[settings]\nshare_absence_reasons = ["leave", "sickness"]',
    )
    result = run("check", write_folder(tmp_path / "bad", {**FILES, "partnership.toml": sick}))
    assert result.code == 2
    assert "sickness can never be shared with attendees" in result.out and "share_absence_reasons" in result.out
    unknown = sick.replace('"sickness"', '"gossip"')
    result = run("check", write_folder(tmp_path / "bad2", {**FILES, "partnership.toml": unknown}))
    assert result.code == 2 and "'gossip' is not a reason kind" in result.out
