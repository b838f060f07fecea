"""Calendar details (issue 21, items 8 and 12): the repeated October hour said unambiguously, the missing
March hour refused, an empty team calendar still valid, a refresh hint on team calendars, dry-run names as
sent, an edit that leaves a sent meeting's invitee invited said, and addresses as a relay takes them."""

from __future__ import annotations

from pathlib import Path

import icalendar
import vobject

from tests.conftest import BASE_FILES, EXAMPLE, write_folder
from tests.servers import Mailbox, SmtpHandler, free_port

ALL_HOURS = BASE_FILES["partnership.toml"].replace(
    'bank_holidays = "GB-ENG"', 'bank_holidays = "GB-ENG"\n[settings]\nmeeting_hours = ["00:00", "23:45"]'
)


def loaded(run, tmp_path: Path, requests: str, **files: str) -> Path:
    folder = write_folder(tmp_path / "p", {"partnership.toml": ALL_HOURS, "requests.toml": requests, **files})
    assert run("load", folder).code == 0
    return folder


def test_a_meeting_in_the_repeated_october_hour_says_which_one(run, tmp_path: Path, smtp_server: Mailbox) -> None:
    loaded(
        run,
        tmp_path,
        """
        [[requests]]
        id = "night"
        kind = "custom"
        case = "CP-1234"
        earliest = 2026-10-24
        latest = 2026-10-26
        fixed = 2026-10-25T01:30:00
        allow_off_duty = true
        invite = [{ person = "worker" }]
        """,
    )
    assert run("solve", "--strategy", "greedy").code == 0
    result = run("send", "--smtp", f"{smtp_server.host}:{smtp_server.port}", "--security", "none")
    assert result.code == 0, result.err
    ((_sender, _rcpts, msg),) = smtp_server.take()
    said = "Sun 25 Oct 2026, 01:30 BST-01:30 GMT (Europe/London)"
    assert said in str(msg["Subject"]) and said in msg.get_body(("plain",)).get_content()


def test_a_fixed_time_in_the_missing_march_hour_is_refused(run, tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "p",
        {
            "partnership.toml": ALL_HOURS,
            "requests.toml": """
                [[requests]]
                id = "gap"
                kind = "custom"
                case = "CP-1234"
                earliest = 2026-03-28
                latest = 2026-03-30
                fixed = 2026-03-29T01:30:00
                invite = [{ person = "worker" }]
            """,
        },
    )
    result = run("check", folder)
    assert result.code == 2
    assert "requests.toml" in result.out and "fixed" in result.out and "line 1" in result.out
    assert "2026-03-29 01:30 does not exist in Europe/London: the clocks go forward from 01:00 to 02:00" in result.out
    ok = folder / "requests.toml"
    ok.write_text(ok.read_text().replace("01:30", "02:30"))
    assert run("load", folder).code == 0
    assert run("solve", "--strategy", "greedy").code == 0
    moved = run("move", "gap", "--to", "2026-03-29T01:15", "--force")
    assert moved.code == 2 and "--to: 2026-03-29 01:15 does not exist" in moved.err


def test_team_calendars_hint_a_refresh_and_an_empty_one_is_still_valid(run, tmp_path: Path) -> None:
    teams = BASE_FILES["teams.toml"] + '\n[[teams]]\nid = "quiet"\nname = "Quiet team"\nagency = "police"\n'
    teams += 'pattern = "six-four"\n'
    loaded(
        run,
        tmp_path,
        """
        [[requests]]
        id = "one"
        kind = "custom"
        case = "CP-1234"
        earliest = 2026-03-03
        latest = 2026-03-03
        invite = [{ person = "worker" }]
        """,
        **{"teams.toml": teams},
    )
    assert run("solve", "--strategy", "greedy").code == 0
    assert run("export", "--out", tmp_path / "out").code == 0
    for path in (tmp_path / "out" / "teams").glob("*.ics"):
        text = path.read_bytes().decode()
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text and "X-PUBLISHED-TTL:PT1H\r\n" in text
        vobject.readOne(text).validate()
        cal = icalendar.Calendar.from_ical(text)
        assert cal.subcomponents, f"{path.name}: RFC 5545 wants at least one component"
    quiet = icalendar.Calendar.from_ical((tmp_path / "out" / "teams" / "team-quiet.ics").read_bytes())
    assert [c.name for c in quiet.subcomponents] == ["VTIMEZONE"] and not quiet.walk("VEVENT")


def test_a_dry_run_names_the_files_the_real_send_sends(run, tmp_path: Path, smtp_server: Mailbox) -> None:
    assert run("load", EXAMPLE).code == 0
    assert run("solve", "--strategy", "greedy").code == 0
    dry = run("send", "--dry-run")
    real = run("send", "--smtp", f"{smtp_server.host}:{smtp_server.port}", "--security", "none")
    assert real.code == 0, real.err
    planned = sorted(line for line in dry.out.splitlines() if line.startswith("  "))
    done = sorted(line for line in real.out.splitlines() if line.startswith("  "))
    assert planned and planned == done


def test_an_edit_that_leaves_someone_invited_to_a_sent_meeting_says_how_to_tell_them(
    run, tmp_path: Path, smtp_server: Mailbox
) -> None:
    loaded(
        run,
        tmp_path,
        """
        [[requests]]
        id = "pair"
        kind = "custom"
        case = "CP-1234"
        earliest = 2026-03-09
        latest = 2026-03-13
        invite = [{ person = "worker" }, { person = "officer", required = false }]
        """,
    )
    assert run("solve", "--strategy", "greedy").code == 0
    relay = ["send", "--smtp", f"{smtp_server.host}:{smtp_server.port}", "--security", "none"]
    assert run(*relay).code == 0
    smtp_server.take()
    edited = run("request", "edit", "pair", "--invite", "worker")
    assert edited.code == 0, edited.err
    assert "DC One stay invited until it is placed again: quorum move pair --to 2026-03-" in edited.out
    move = edited.out.split("quorum move ", 1)[1].split(" keeps", 1)[0].split()
    assert run("move", *move).code == 0  # as the note says: the same time, the invitees as the request is now
    assert run(*relay).code == 0
    told = {(rcpts[0], str(msg["Subject"]).split(":")[0]) for _s, rcpts, msg in smtp_server.take()}
    assert ("one@example.org", "No longer needed") in told


PEOPLE = (
    BASE_FILES["people.toml"]
    + """
    [[people]]
    id = "kwame"
    name = "Kwame Asante"
    email = "kwame@bücher.example"
    team = "district"
    role = "Social worker"

    [[people]]
    id = "zoe"
    name = "Zoë \\"Q\\" O'Brien, Jr."
    email = "zoe@example.org"
    team = "district"
    role = "Social worker"

    [[people]]
    id = "jose"
    name = "José"
    email = "josé@example.org"
    team = "district"
    role = "Social worker"
"""
)
EVERYONE = """
    [[requests]]
    id = "all"
    kind = "custom"
    case = "CP-1234"
    earliest = 2026-03-09
    latest = 2026-03-13
    invite = [{ person = "worker" }, { person = "kwame" }, { person = "zoe" }, { person = "jose" }]
"""


def test_addresses_go_out_as_a_relay_takes_them(run, tmp_path: Path, smtp_server: Mailbox) -> None:
    folder = write_folder(tmp_path / "p", {"people.toml": PEOPLE, "requests.toml": EVERYONE})
    checked = run("check", folder)
    assert checked.code == 0, checked.out
    assert "people.toml: warning: jose: josé@example.org: the part before @ is not in plain ASCII" in checked.out
    assert "SMTPUTF8" in checked.out and "kwame" not in checked.out
    bad = write_folder(tmp_path / "bad", {"people.toml": PEOPLE.replace("zoe@example.org", "zoe..x@example.org")})
    refused = run("check", bad)
    assert refused.code == 2 and "people.toml" in refused.out and "email" in refused.out
    assert "'zoe..x@example.org' is not an e-mail address a mail relay can take" in refused.out

    assert run("load", folder).code == 0
    assert run("solve", "--strategy", "greedy").code == 0
    from aiosmtpd.controller import Controller

    box = Mailbox("127.0.0.1", free_port())
    plain = Controller(SmtpHandler(box), hostname=box.host, port=box.port, enable_SMTPUTF8=False)
    plain.start()
    try:  # a relay that does not offer SMTPUTF8: José's message waits, the others go
        result = run("send", "--smtp", f"{box.host}:{box.port}", "--security", "none")
    finally:
        plain.stop()
    assert result.code == 2 and "josé@example.org" in result.err and "SMTPUTF8" in result.err
    got = {rcpts[0]: msg for _s, rcpts, msg in box.take()}
    assert set(got) == {"sam@example.org", "kwame@xn--bcher-kva.example", "zoe@example.org"}
    (zoe,) = got["zoe@example.org"]["To"].addresses  # one address, whatever the name holds
    assert zoe.display_name == 'Zoë "Q" O\'Brien, Jr.' and zoe.addr_spec == "zoe@example.org"

    result = run("send", "--smtp", f"{smtp_server.host}:{smtp_server.port}", "--security", "none")  # SMTPUTF8
    assert result.code == 0, result.err
    ((_sender, rcpts, msg),) = smtp_server.take()
    # aiosmtpd hands the envelope's UTF-8 over as escaped bytes: read back, it is José's address as typed
    assert [r.encode("utf-8", "surrogateescape").decode("utf-8") for r in rcpts] == ["josé@example.org"]
    assert "<josé@example.org>" in str(msg["To"]).encode("utf-8", "surrogateescape").decode("utf-8")
