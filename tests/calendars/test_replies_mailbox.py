"""Replies as they come back: Thunderbird, Outlook and Gmail e-mails in a Maildir, an mbox, loose files and
an IMAP mailbox over TLS; each answer judged on its own; senders checked; delegations and proposals of a
new time recorded and shown."""

from __future__ import annotations

import mailbox
import time
from datetime import datetime
from pathlib import Path

import pytest

from rotas.clock import zone
from scheduler.calendars.export import export
from scheduler.calendars.imap import ImapBox
from scheduler.calendars.replies import read_replies
from scheduler.errors import UserError
from scheduler.services import answers, scheduling
from scheduler.services import partnership as services
from scheduler.store.database import Store
from tests.calendars import reply_mail
from tests.calendars.imap_server import ImapServer, ImapState, Message, certificate
from tests.conftest import NOW

RID = "sd-10482"


@pytest.fixture
def sent(solved_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run) -> Path:
    """The solved example with its invites written once (so they have UIDs), as QUORUM_DB (set after the
    ``run`` fixture sets its own)."""
    export(solved_copy, None, tmp_path / "out", now=NOW)
    monkeypatch.setenv("QUORUM_DB", str(solved_copy))
    return solved_copy


class Meeting:
    """sd-10482 as issued: its UID, time, and who is invited (solves differ, so read, not assumed)."""

    def __init__(self, db: Path, rid: str = RID) -> None:
        with Store.open(db) as store:
            version = store.versions(store.partnership().id)[rid]
        self.uid = version["uid"]
        self.start = datetime.fromisoformat(version["event"]["start"])
        self.end = datetime.fromisoformat(version["event"]["end"])
        p = services.open_partnership(db)
        self.people = {x.id: x for x in p.people}
        self.invited = sorted(version["event"]["people"])
        self.outsider = next(x for x in p.people if x.id not in self.invited)

    def who(self, i: int) -> tuple[str, str, str]:
        x = self.people[self.invited[i]]
        return x.id, x.name, x.email


def replies_of(db: Path, rid: str = RID) -> dict[str, dict]:
    doc = answers.stored_schedule(db, None)
    meeting = next(m for m in doc["meetings"] if m["request"] == rid)
    return {a["person"]: a for a in meeting["attendees"]} | {"_proposals": meeting["proposals"]}  # type: ignore[dict-item]


def maildir_with(root: Path, messages: dict[str, bytes]) -> Path:
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for name, data in messages.items():
        (root / name).write_bytes(data)
    return root


def snapshot(folder: Path) -> dict[str, tuple[bytes, float]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime) for p in folder.rglob("*") if p.is_file()}


def test_a_maildir_of_thunderbird_outlook_and_gmail_replies_records_every_answer_once(
    sent: Path, tmp_path: Path, run
) -> None:
    m = Meeting(sent)
    (a_id, a_name, a_email), (b_id, b_name, b_email), (c_id, c_name, c_email) = m.who(0), m.who(1), m.who(2)
    d = m.outsider
    outlook = reply_mail.outlook(m.uid, a_name, a_email, "ACCEPTED", m.start, m.end)
    box = maildir_with(
        tmp_path / "Maildir",
        {
            "new/1772442843.M1P1.hub": outlook,
            "new/1772446500.M2P1.hub": reply_mail.gmail(m.uid, b_name, b_email, "DECLINED", m.start, m.end),
            "new/1772449500.M3P1.hub": reply_mail.thunderbird_delegation(
                m.uid, c_name, c_email, d.name, d.email, m.start, m.end
            ),
            "new/1772438400.M4P1.hub": reply_mail.newsletter(),
            "cur/1772442843.M5P1.hub:2,S": outlook,  # the same answer kept twice (a copy filed by a rule)
        },
    )
    before = snapshot(box)
    result = run("replies", box)
    assert result.code == 0, result.err
    assert "Read 4 answers: 3 recorded, 1 already known, 0 refused; 1 other messages left alone" in result.out
    shown = replies_of(sent)
    assert shown[a_id]["reply"] == "accepted" and shown[b_id]["reply"] == "declined"
    assert shown[c_id]["reply"] == "delegated" and shown[c_id]["delegated_to"] == d.name
    assert f"delegated to {d.name}" in run("schedule").out
    again = run("replies", box)
    assert again.code == 0 and "0 recorded, 4 already known, 0 refused" in again.out
    assert snapshot(box) == before  # nothing moved to cur/, flagged or rewritten
    # The delegate answers in turn (not invited, but named by the delegation): shown beside the delegator.
    (tmp_path / "d.eml").write_bytes(reply_mail.gmail(m.uid, d.name, d.email, "ACCEPTED", m.start, m.end))
    assert run("replies", tmp_path / "d.eml").code == 0
    assert replies_of(sent)[c_id]["delegate_reply"] == "accepted"
    assert f"delegated to {d.name} (accepted)" in run("schedule").out


def test_each_reply_is_judged_on_its_own(sent: Path, tmp_path: Path, run) -> None:
    """A late reply to a cancelled meeting refuses itself, not the good ones beside it; a byte-order mark
    and an e-mail (.eml) are read; an mbox too."""
    m, late = Meeting(sent), Meeting(sent, "jv-10482")
    (a_id, a_name, a_email), (b_id, b_name, b_email) = m.who(0), m.who(1)
    good = tmp_path / "good.eml"
    good.write_bytes(reply_mail.outlook(m.uid, a_name, a_email, "TENTATIVE", m.start, m.end))
    bom = tmp_path / "bom.ics"
    calendar = reply_mail.gmail(m.uid, b_name, b_email, "ACCEPTED", m.start, m.end)
    body = calendar.split(b"Content-Transfer-Encoding: 7bit\r\n\r\n", 1)[1].split(b"\r\n--0000", 1)[0]
    bom.write_bytes(b"\xef\xbb\xbf" + body)
    scheduling.cancel(sent, None, "jv-10482", now=NOW)
    export(sent, None, tmp_path / "out", now=NOW)
    _x, x_name, x_email = late.who(0)
    stale = tmp_path / "late.eml"
    stale.write_bytes(reply_mail.outlook(late.uid, x_name, x_email, "ACCEPTED", late.start, late.end))
    result = run("replies", good, bom, stale)
    assert result.code == 2  # a file given could not be used: said, and the others recorded all the same
    assert "2 recorded, 0 already known, 1 refused" in result.out
    assert "answers a meeting since cancelled" in result.err and "the others were recorded" in result.err
    shown = replies_of(sent)
    assert shown[a_id]["reply"] == "tentative" and shown[b_id]["reply"] == "accepted"
    # The same answers as an mbox (a mail program's export): already known, the newsletter left alone.
    mbox = mailbox.mbox(tmp_path / "replies.mbox")
    for data in (good.read_bytes(), reply_mail.newsletter()):
        mbox.add(data)
    mbox.close()
    result = run("replies", tmp_path / "replies.mbox")
    assert result.code == 0 and "1 already known" in result.out and "1 other messages left alone" in result.out


def test_an_answer_sent_by_someone_else_is_recorded_as_unverified_and_shown(sent: Path, tmp_path: Path, run) -> None:
    m = Meeting(sent)
    a_id, a_name, a_email = m.who(0)
    forged = tmp_path / "forged.eml"
    forged.write_bytes(
        reply_mail.outlook(m.uid, a_name, a_email, "DECLINED", m.start, m.end, sender="someone@elsewhere.example")
    )
    result = run("replies", forged)
    assert result.code == 0 and "unverified: sent by someone@elsewhere.example" in result.out
    assert replies_of(sent)[a_id]["unverified"] == "someone@elsewhere.example"
    assert "declined, unverified: sent by someone@elsewhere.example" in run("schedule").out


def test_an_older_answer_read_after_a_newer_one_does_not_replace_it(sent: Path, tmp_path: Path, run) -> None:
    m = Meeting(sent)
    a_id, a_name, a_email = m.who(0)
    first = reply_mail.outlook(m.uid, a_name, a_email, "ACCEPTED", m.start, m.end, stamp="20260302T090000Z")
    later = reply_mail.outlook(m.uid, a_name, a_email, "DECLINED", m.start, m.end, stamp="20260303T090000Z")
    (tmp_path / "b.eml").write_bytes(later)
    (tmp_path / "a.eml").write_bytes(first)
    run("replies", tmp_path / "b.eml")
    result = run("replies", tmp_path / "a.eml")
    assert "a later answer (declined) is recorded" in result.out
    assert replies_of(sent)[a_id]["reply"] == "declined"


def test_a_proposed_new_time_is_recorded_shown_and_accepted_by_a_move(sent: Path, tmp_path: Path, run) -> None:
    m = Meeting(sent, "jv-10482")
    a_id, a_name, a_email = m.who(0)
    alternative = next(x for x in scheduling.stored_schedule(sent, None)["meetings"] if x["request"] == "jv-10482")[
        "alternatives"
    ][0]
    start = datetime.fromisoformat(alternative["start"])
    proposal = (start, start + (m.end - m.start))
    counter = tmp_path / "counter.eml"
    counter.write_bytes(
        reply_mail.outlook(m.uid, a_name, a_email, "TENTATIVE", m.start, m.end, summary="Joint visit CP-10482",
                           propose=proposal)
    )  # fmt: skip
    result = run("replies", counter)
    assert result.code == 0, result.err
    local = start.astimezone(zone("Europe/London"))
    assert f"proposes {local:%a %d %b %Y %H:%M}" in result.out
    assert f"quorum move jv-10482 --to {local:%Y-%m-%dT%H:%M}" in result.out
    (shown,) = replies_of(sent, "jv-10482")["_proposals"]  # type: ignore[misc]
    assert shown["person"] == a_id and datetime.fromisoformat(shown["start"]) == start
    assert f"{a_name} proposes" in run("schedule").out
    assert run("move", "jv-10482", "--to", f"{local:%Y-%m-%dT%H:%M}").code == 0
    assert replies_of(sent, "jv-10482")["_proposals"] == []  # the meeting is there now: nothing to accept


# -- an IMAP mailbox over TLS -----------------------------------------------------------------------


@pytest.fixture
def imap(tmp_path: Path):
    made = certificate(tmp_path)
    if made is None:
        pytest.skip("openssl cannot make a test certificate here")
    key, cert = made
    state = ImapState()

    def serve():
        return ImapServer(state, key, cert)

    return state, serve, cert


def test_an_imap_mailbox_is_read_without_marking_or_deleting_anything(sent: Path, imap, run, monkeypatch) -> None:
    state, serve, cert = imap
    m = Meeting(sent)
    (a_id, a_name, a_email), (b_id, b_name, b_email) = m.who(0), m.who(1)
    state.messages = [
        Message(reply_mail.outlook(m.uid, a_name, a_email, "ACCEPTED", m.start, m.end)),
        Message(reply_mail.gmail(m.uid, b_name, b_email, "DECLINED", m.start, m.end), seen=True),
        Message(reply_mail.newsletter()),
    ]
    monkeypatch.setenv("QUORUM_TEST_IMAP_PASSWORD", state.password)
    with serve() as port:
        args = ["replies", "--imap", f"127.0.0.1:{port}", "--user", state.user, "--cafile", str(cert)]
        result = run(*args, "--password-env", "QUORUM_TEST_IMAP_PASSWORD")
        assert result.code == 0, result.err
        assert "1 recorded" in result.out and "1 other messages left alone" in result.out  # the unseen only
        assert replies_of(sent)[a_id]["reply"] == "accepted" and replies_of(sent)[b_id]["reply"] == "no answer yet"
        assert not any(x.seen for x in (state.messages[0], state.messages[2]))  # still unread
        said = " ".join(state.log).upper()
        assert "EXAMINE" in said and "BODY.PEEK[]" in said
        assert not any(w in said for w in ("STORE", "EXPUNGE", "DELETE", "COPY", "MOVE", "SELECT "))
        assert state.password not in " ".join(args)  # from the environment, never an argument
        since = run(*args, "--password-env", "QUORUM_TEST_IMAP_PASSWORD", "--since", "2026-03-01")
        assert since.code == 0 and "1 recorded, 1 already known" in since.out  # the read one too
        assert replies_of(sent)[b_id]["reply"] == "declined"
        monkeypatch.setenv("QUORUM_TEST_IMAP_PASSWORD", "wrong")
        wrong = run(*args, "--password-env", "QUORUM_TEST_IMAP_PASSWORD")
        assert wrong.code == 2 and "refused the user name or password" in wrong.err
        untrusted = run("replies", "--imap", f"127.0.0.1:{port}", "--user", state.user, "--password-env", "X")
        assert untrusted.code == 2


def test_an_imap_server_that_trickles_or_sends_512_mb_is_cut_off(sent: Path, imap) -> None:
    state, serve, cert = imap
    m = Meeting(sent)
    _a, a_name, a_email = m.who(0)
    state.messages = [Message(reply_mail.outlook(m.uid, a_name, a_email, "ACCEPTED", m.start, m.end))]
    state.huge = True
    with serve() as port:
        box = ImapBox("127.0.0.1", state.user, state.password, port, cafile=cert, deadline=20)
        started = time.monotonic()
        with pytest.raises(UserError, match="more than 10,000,000 bytes"):
            read_replies(sent, None, [], now=NOW, imap=box)
        assert time.monotonic() - started < 60  # not 512 MB read first
    state.huge, state.trickle = False, 0.2
    with serve() as port:
        box = ImapBox("127.0.0.1", state.user, state.password, port, cafile=cert, deadline=2)
        started = time.monotonic()
        with pytest.raises(UserError, match="did not finish within 2 s"):
            read_replies(sent, None, [], now=NOW, imap=box)
        assert time.monotonic() - started < 30  # the greeting alone would take 220 s
    with Store.open(sent) as store:
        assert store.reply_rows(store.partnership().id) == {}


def test_the_replies_command_needs_something_to_read(run, sent: Path) -> None:
    result = run("replies")
    assert result.code == 2 and "--imap" in result.err
    assert run("replies", "--imap", "127.0.0.1:1").code == 2  # no --user


def test_a_reply_with_a_date_that_cannot_be_read_is_judged_not_a_fault(sent: Path, tmp_path: Path, run) -> None:
    """A DTSTAMP icalendar cannot read (it keeps it as a broken property that raises when read) is recorded
    without it; a proposal whose new start cannot be read is refused with why. Neither is 'Internal error'."""
    m = Meeting(sent)
    (a_id, a_name, a_email), (_b_id, b_name, b_email) = m.who(0), m.who(1)
    broken_stamp = tmp_path / "stamp.eml"
    broken_stamp.write_bytes(reply_mail.outlook(m.uid, a_name, a_email, "ACCEPTED", m.start, m.end, stamp="2026XYZ"))
    result = run("replies", broken_stamp)
    assert result.code == 0, result.err
    assert replies_of(sent)[a_id]["reply"] == "accepted"
    proposal = reply_mail.outlook(m.uid, b_name, b_email, "TENTATIVE", m.start, m.end, propose=(m.start, m.end))
    broken_start = tmp_path / "propose.eml"
    broken_start.write_bytes(proposal.replace(b"DTSTART", b"DTSTART;VALUE=DATE", 1))
    result = run("replies", broken_start)
    assert result.code in (0, 2) and "Internal error" not in result.err
