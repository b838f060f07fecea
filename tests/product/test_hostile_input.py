"""Each hostile or unlucky input found by hand (issue 12): exit 2 with the file and line or key, quickly,
the database unchanged; never an internal error, a hang or a flood of output."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, Result

OSEI = "busy/sw-osei.ics"


def event(body: str) -> str:
    return "BEGIN:VEVENT\nUID:x@example.org\n" + body + "END:VEVENT\n"


def in_busy(extra: str, header: str = "") -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / OSEI
        text = path.read_text().replace("END:VCALENDAR", extra + "END:VCALENDAR")
        if header:
            text = text.replace("X-WR-TIMEZONE:Europe/London\n", header)
        path.write_text(text)

    return edit


def replace_in(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / name
        text = path.read_text()
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1))

    return edit


def append_to(name: str, text: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        with (folder / name).open("a") as f:
            f.write(text)

    return edit


SPAN = "DTSTART:20260310T100000Z\nDTEND:20260310T110000Z\n"
# What each case must say: the file, and (for a calendar) the line of the event at fault.
FOLDER_CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "rrule FREQ=SOMETIMES": (in_busy(event(SPAN + "RRULE:FREQ=SOMETIMES\n")), f"{OSEI}:35: the event at line 35"),
    "rrule bad BYDAY": (in_busy(event(SPAN + "RRULE:FREQ=WEEKLY;BYDAY=XX\n")), "RRULE is not a rule"),
    "no DTSTART": (in_busy(event("DTEND:20260310T110000Z\n")), "it has no DTSTART"),
    "30 February": (in_busy(event("DTSTART:20260230T100000Z\nDTEND:20260310T110000Z\n")), "DTSTART is not a date"),
    "hour 25": (in_busy(event("DTSTART:20260310T250000Z\nDTEND:20260310T110000Z\n")), "DTSTART is not a date"),
    "broken DURATION": (in_busy(event("DTSTART:20260310T100000Z\nDURATION:PXYZ\n")), "DURATION is not a length"),
    "broken EXDATE": (in_busy(event(SPAN + "RRULE:FREQ=DAILY\nEXDATE:2026xx\n")), "EXDATE is not a list"),
    "broken RDATE": (in_busy(event(SPAN + "RDATE:notadate\n")), "RDATE is not a list"),
    "broken RECURRENCE-ID": (in_busy(event(SPAN + "RECURRENCE-ID:bogus\n")), "RECURRENCE-ID is not a date"),
    "unknown X-WR-TIMEZONE": (in_busy("", "X-WR-TIMEZONE:Not/AZone\n"), "X-WR-TIMEZONE 'Not/AZone' is not a time"),
    "UID twice": (
        in_busy("BEGIN:VEVENT\nUID:a@example.org\nUID:b@example.org\n" + SPAN + "END:VEVENT\n"),
        "UID appears more than once",
    ),
    "2,000 nested events": (in_busy("BEGIN:VEVENT\n" * 2000 + "END:VEVENT\n" * 2000), "an event inside another"),
    "FREQ=SECONDLY": (in_busy(event(SPAN + "RRULE:FREQ=SECONDLY\n")), "more than the 100,000 Quorum reads"),
    "FREQ=MINUTELY since 1990": (
        in_busy(event("DTSTART:19900310T100000Z\nDTEND:19900310T100030Z\nRRULE:FREQ=MINUTELY\n")),
        "repeats about",
    ),
    "INTERVAL=0 (dateutil would loop for ever)": (
        in_busy(event(SPAN + "RRULE:FREQ=DAILY;INTERVAL=0\n")),
        "RRULE INTERVAL=0: it must be 1 or more",
    ),
    "pattern rule INTERVAL=0": (
        replace_in("patterns.toml", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "FREQ=WEEKLY;INTERVAL=0;BYDAY=FR"),
        "rrule: INTERVAL must be a whole number, 1 or more",
    ),
    "100,000 events": (
        in_busy("".join(event(SPAN).replace("x@", f"e{i}@") for i in range(100_000))),
        "it has 100,004 events; Quorum reads at most 5,000",
    ),
    "absence ending 9999-12-31": (
        append_to("absences.csv", "dc-okafor,2026-03-01,9999-12-31,leave\n"),
        "absences.csv:12: end: 9999-12-31 is not a usable date",
    ),
    "request latest 9999-12-31": (
        replace_in("requests.toml", "latest = 2026-03-25\n", "latest = 9999-12-31\n"),
        ", latest: 9999-12-31 is not a usable date",
    ),
    "request earliest 0001-01-01": (
        replace_in("requests.toml", "earliest = 2026-03-23\n", "earliest = 0001-01-01\n"),
        ", earliest: 0001-01-01 is not a usable date",
    ),
    "team offset of 21 digits": (
        replace_in("teams.toml", 'pattern = "sw-office"', 'pattern = "sw-office"\noffset = 100000000000000000000'),
        "teams.toml: teams entry 4, offset: input should be less than or equal to 10000",
    ),
    "pattern rule FREQ=SECONDLY": (
        replace_in("patterns.toml", 'rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"', 'rrule = "FREQ=SECONDLY"'),
        "rrule: a pattern rule picks days",
    ),
    "catastrophic case-reference pattern": (
        replace_in(
            "partnership.toml",
            "max_meetings_per_day = 3",
            "max_meetings_per_day = 3\ncase_reference_pattern = '^(a|aa)+$'",
        ),
        "case_reference_pattern can take seconds",
    ),
    "team name with a line break": (
        replace_in("teams.toml", 'name = "Child Safeguarding Unit"', 'name = "Child\\nSafeguarding Unit"'),
        "teams.toml: teams entry 2, name: contains a line break",
    ),
    "NUL and ESC in a name": (
        replace_in("people.toml", 'name = "', 'name = "\\u0000\\u001b[2J'),
        "people.toml: people entry 1, name: contains a control character (U+0000)",
    ),
    "right-to-left override in a role": (
        replace_in("people.toml", 'role = "', 'role = "\\u202e'),
        "people.toml: people entry 1, role: contains an invisible character (right-to-left override)",
    ),
    "1 MB name": (replace_in("people.toml", 'name = "', 'name = "' + "A" * 1_000_000), "at most 200 characters"),
}


@pytest.fixture
def loaded(run, tmp_path: Path) -> Path:
    db = tmp_path / "quorum.db"
    assert run("load", EXAMPLE).code == 0
    return db


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_refused(result: Result, expected: str) -> None:
    assert result.code == 2, result.out + result.err
    assert expected in result.out + result.err, (result.out + result.err)[:2000]
    assert "Internal error" not in result.err and "Traceback" not in result.err
    assert len(result.out) + len(result.err) < 20_000  # a list to read, not a flood
    assert "\x1b" not in result.out + result.err and "\x00" not in result.out + result.err


@pytest.mark.parametrize("case", list(FOLDER_CASES), ids=list(FOLDER_CASES))
def test_a_hostile_folder_is_refused_with_where_and_why_and_nothing_loaded(
    case: str, example_copy: Path, loaded: Path, run
) -> None:
    edit, expected = FOLDER_CASES[case]
    edit(example_copy)
    assert_refused(run("check", example_copy), expected)
    before = digest(loaded)
    assert_refused(run("load", example_copy), expected)
    assert digest(loaded) == before


@pytest.mark.parametrize(
    "args",
    [
        ("solve", "--from", "9999-12-31"),
        ("availability", "--from", "9999-12-25", "--days", "1"),
        ("overlap", "--from", "0001-01-01"),
        ("move", "jv-10482", "--to", "9999-12-31T10:00"),
        ("move", "jv-10482", "--to", "0001-01-01T00:00"),
        ("request", "add", "jv-1", "--kind", "joint-visit", "--case", "CP-20001", "--latest", "9999-12-31"),
        (
            "request",
            "add",
            "jv-1",
            "--kind",
            "joint-visit",
            "--case",
            "CP-20001",
            "--within",
            "3",
            "--of",
            "9999-12-31",
        ),
        ("request", "add", "jv-1", "--kind", "joint-visit", "--case", "CP-2\x1b[2J", "--invite", "sw-osei"),
        ("request", "add", "j\u202ev-1", "--kind", "joint-visit", "--case", "CP-20001", "--invite", "sw-osei"),
        ("availability", "--person", "sw-\x1b[2J", "--from", "2026-03-23"),
    ],
    ids=lambda a: " ".join(a)[:60],
)
def test_dates_at_the_ends_of_the_calendar_and_control_characters_on_the_command_line(
    args: tuple[str, ...], loaded: Path, run
) -> None:
    before = digest(loaded)
    result = run(*args)
    assert_refused(result, "")
    assert digest(loaded) == before


def test_an_id_with_a_trailing_line_break_is_read_as_the_id(loaded: Path, run) -> None:
    add = run(
        *("request", "add", "jv-20001\n", "--kind", "joint-visit", "--case", "CP-20001"),
        *("--earliest", "2026-03-24", "--invite", "sw-osei"),
    )
    assert add.code == 0, add.err
    assert "jv-20001" in run("request", "list").out


def test_duplicated_duty_sheet_rows_say_nothing_and_other_files_repeats_once(example_copy: Path, run) -> None:
    sheet = example_copy / "duty-sheet-2026-03.csv"
    rows = sheet.read_text().splitlines()[-1] + "\n"
    sheet.write_text(sheet.read_text() + rows * 1000)
    assert run("check", example_copy).code == 0
    (example_copy / "duty-sheet-2026-04.csv").write_text("date,person,shift_code\n" + rows * 1000)
    result = run("check", example_copy)
    assert result.code == 2 and result.out.count("\n") == 1, result.out[:500]
    assert "is also in duty-sheet-2026-03.csv:" in result.out


def test_a_cycle_of_2000_requests_is_one_short_line(example_copy: Path, run) -> None:
    entries = [
        f'[[requests]]\nid = "cg-{i}"\nkind = "core-group"\ncase = "CP-{20000 + i}"\n'
        f'within = {{ of_request = "cg-{(i + 1) % 2000}", days = 3 }}\ninvite = [{{ person = "sw-osei" }}]\n'
        for i in range(2000)
    ]
    (example_copy / "requests.toml").write_text("\n".join(entries))
    result = run("check", example_copy)
    assert result.code == 2 and result.out.count("\n") == 1 and len(result.out) < 1000, result.out[:1000]
    assert "... (1995 more) ..." in result.out


def test_thousands_of_problems_are_capped_per_file_and_in_all(example_copy: Path, run) -> None:
    (example_copy / "absences.csv").write_text(
        "person,start,end,kind\n" + "nobody,2026-03-01,2026-03-02,leave\n" * 9000
    )
    people = (example_copy / "people.toml").read_text()
    (example_copy / "people.toml").write_text(
        people.replace('email = "', 'email = "not-an-address ').replace('role = "', 'role = "\\u0007')
    )
    result = run("check", example_copy)
    lines = result.out.splitlines()
    assert result.code == 2 and len(lines) <= 202
    assert any("people.toml: ... and 49 more problems in this file" in line for line in lines), lines[-3:]
    assert any("absences.csv:52: stopped checking after 50 problems" in line for line in lines)


def test_a_pipe_named_like_a_duty_sheet_is_refused_not_waited_on(example_copy: Path, tmp_path: Path) -> None:
    os.mkfifo(example_copy / "duty-sheet-pipe.csv")
    os.mkfifo(example_copy / "absences.csv.tmp")  # not a name Quorum reads: ignored
    (example_copy / "absences.csv").unlink()
    os.mkfifo(example_copy / "absences.csv")
    env = {**os.environ, "QUORUM_DB": str(tmp_path / "q.db")}
    for command in ("check", "load"):
        done = subprocess.run(
            [sys.executable, "-m", "scheduler", command, str(example_copy)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert done.returncode == 2
        assert "duty-sheet-pipe.csv: not an ordinary file" in done.stdout + done.stderr
        assert "absences.csv: not an ordinary file" in done.stdout + done.stderr
    assert not (tmp_path / "q.db").exists()


def test_a_chain_of_500_follow_ups_ends_at_the_time_limit_with_a_reason(example_copy: Path, tmp_path: Path) -> None:
    """Each link's window is three days wider than the last, so building the instance alone took minutes."""
    entries = [
        f'[[requests]]\nid = "cg-{i:03d}"\nkind = "core-group"\ncase = "CP-{20000 + i}"\n'
        + ("earliest = 2026-03-23\n" if i == 0 else f'within = {{ of_request = "cg-{i - 1:03d}", days = 3 }}\n')
        + 'invite = [{ person = "sw-osei" }]\n'
        for i in range(500)
    ]
    (example_copy / "requests.toml").write_text("\n".join(entries))
    env = {**os.environ, "QUORUM_DB": str(tmp_path / "q.db")}
    command = [sys.executable, "-m", "scheduler"]
    assert subprocess.run([*command, "load", str(example_copy)], env=env, capture_output=True).returncode == 0
    # No timing assert: the timeout is there so that a hang fails the test instead of stalling the run.
    done = subprocess.run(
        [*command, "solve", "--strategy", "greedy", "--time-limit", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "ran out before any schedule was found" in done.stderr and "--from DATE --days N" in done.stderr


def test_a_megabyte_value_is_not_echoed_whole(example_copy: Path, run) -> None:
    huge = "x" * 1_000_000
    with (example_copy / "absences.csv").open("a") as f:
        f.write(f"{huge},2026-03-01,2026-03-02,leave\n")
    (example_copy / "teams.toml").write_text((example_copy / "teams.toml").read_text() + f"\n{huge[:100_000]} = 1\n")
    result = run("check", example_copy)
    assert result.code == 2 and len(result.out) < 5_000, len(result.out)
    assert "teams.toml: teams entry 13, xxxxxxxx" in result.out and "absences.csv:12: CSV error" in result.out


def test_an_unknown_id_one_slip_away_gets_a_suggestion(loaded, run) -> None:
    add = run(
        *("request", "add", "jv-9", "--kind", "joint-visit", "--case", "CP-20009", "--earliest", "2026-03-24"),
        *("--invite", "sw-oseii"),
    )
    assert (
        add.code == 2 and "unknown person 'sw-oseii' (use an id from people.toml; did you mean 'sw-osei'?)" in add.err
    )
    look = run("availability", "--person", "dc-patle", "--from", "2026-03-23")
    assert look.code == 2 and "did you mean 'dc-patel'?" in look.err


def test_a_problem_in_a_list_entry_names_the_entry(example_copy: Path, run) -> None:
    people = example_copy / "people.toml"
    text = people.read_text()
    start = text.index('id = "sw-osei"')
    team = text.index("team = ", start)
    people.write_text(text[:team] + text[text.index("\n", team) + 1 :])
    result = run("check", example_copy)
    header = text[:start].rindex("[[people]]")  # the entry's first line, where a coordinator looks for it
    at = text[:header].count("\n") + 1
    assert result.code == 2 and f"missing required key (in the entry for 'sw-osei' at line {at})" in result.out
