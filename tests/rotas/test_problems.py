"""Bad input: every problem named with its file and key or line, exit 2, database untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import BASE_FILES

PEOPLE_TWO_TEAMS = (
    BASE_FILES["people.toml"]
    + """
    [[people]]
    id = "worker"
    name = "Sam Worker"
    email = "sam.again@example.org"
    team = "unit"
    role = "Social worker"
"""
)

CASES: dict[str, tuple[dict[str, str | bytes | None], list[str]]] = {
    "toml syntax error": (
        {"people.toml": '[[people]]\nid = "x"\nname = "unterminated\n'},
        ['people.toml:3: a quote is not closed: text in double quotes must end with " on the same line'],
    ),
    "wrong type": (
        {
            "teams.toml": BASE_FILES["teams.toml"].replace(
                'pattern = "six-four"', 'pattern = "six-four"\noffset = "three"'
            )
        },
        ["teams.toml: teams entry 1, offset: input should be a valid integer"],
    ),
    "unknown shift code": (
        {"patterns.toml": BASE_FILES["patterns.toml"].replace("E E L L N N", "E E X L N N")},
        ["patterns.toml: cycles entry 1, day 3: unknown shift code 'X' (agency 'police' defines E, L, N, R)"],
    ),
    "person in two teams": (
        {"people.toml": PEOPLE_TWO_TEAMS},
        [
            "people.toml: people entry 3, id: 'worker' is already in team 'district' at people entry 2; "
            "a person may be in one team at a time"
        ],
    ),
    "absence ends before it starts": (
        {"absences.csv": "person,start,end,kind\nworker,2026-03-05,2026-03-01,leave\n"},
        ["absences.csv:2: end 2026-03-01 is before start 2026-03-05"],
    ),
    "unknown time zone": (
        {"partnership.toml": BASE_FILES["partnership.toml"].replace("Europe/London", "Europe/Londn")},
        ["partnership.toml: timezone: unknown time zone 'Europe/Londn'"],
    ),
    "offset outside the cycle": (
        {"teams.toml": BASE_FILES["teams.toml"].replace('pattern = "six-four"', 'pattern = "six-four"\noffset = 10')},
        ["teams.toml: teams entry 1, offset: offset 10 is outside the 10-day cycle 'six-four' (use 0 to 9)"],
    ),
    "duty sheet names an unknown person": (
        {"duty-sheet.csv": "date,person,shift_code\n2026-03-02,dc-ghost,E\n"},
        ["duty-sheet.csv:2: unknown person 'dc-ghost'"],
    ),
    "duty sheet unknown code": (
        {"duty-sheet.csv": "date,person,shift_code\n2026-03-02,officer,Q\n"},
        ["duty-sheet.csv:2: unknown shift code 'Q' for officer"],
    ),
    "empty people file": ({"people.toml": ""}, ["people.toml: people: no [[people]] entries"]),
    "binary garbage": (
        {"agencies.toml": bytes(range(256)) * 40},
        ["agencies.toml: this is not a text file"],
    ),
    "not utf-8": (
        {"people.toml": '[[people]]\nname = "Zo\xeb"\n'.encode("latin-1")},
        ["people.toml:2: text is not UTF-8"],
    ),
    "10 MB toml": ({"people.toml": b"# " + b"x" * (10 * 1024 * 1024) + b"\n"}, ["people.toml: file is too large"]),
    "10 MB csv of garbage": (
        {"absences.csv": b"person,start,end,kind\n" + b"nobody,soon,later,leave\n" * 440_000},
        ["absences.csv:2: unknown person 'nobody'", "absences.csv:19: stopped checking after 51 problems"],
    ),
    "missing file": ({"teams.toml": None}, ["teams.toml: missing required file"]),
    "misspelt key": (
        {"people.toml": BASE_FILES["people.toml"].replace('role = "Social worker"', 'roel = "Social worker"')},
        ["people.toml: people entry 2, roel: unknown key", "people.toml: people entry 2, role: missing required key"],
    ),
    "bad rrule": (
        {
            "patterns.toml": BASE_FILES["patterns.toml"].replace(
                'rules = [{ days = ["MO", "TU", "WE", "TH", "FR"], shift = "D" }]',
                'rules = [{ rrule = "FREQ=FORTNIGHTLY", shift = "D" }]',
            )
        },
        ["patterns.toml: weekly entry 1, rule 1, rrule: not a valid RRULE"],
    ),
    "busy calendar garbage": (
        {"busy/worker.ics": "BEGIN:VCALENDAR\nthis is not ical\n"},
        ["busy/worker.ics: not a readable iCalendar file"],
    ),
    "busy calendar of nobody": (
        {"busy/nobody.ics": "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nEND:VCALENDAR\n"},
        ["busy/nobody.ics: no person with id 'nobody'"],
    ),
    "csv header wrong": (
        {"absences.csv": "who,start,end,kind\nworker,2026-03-05,2026-03-06,leave\n"},
        ["absences.csv:1: missing column person; unknown column who"],
    ),
    "unknown team": (
        {"people.toml": BASE_FILES["people.toml"].replace('team = "district"', 'team = "distrct"')},
        [
            "people.toml: people entry 2, team: unknown team 'distrct' "
            "(teams.toml defines district, unit; did you mean 'district'?)"
        ],
    ),
    "shift of no length": (
        {"agencies.toml": BASE_FILES["agencies.toml"].replace('end = "16:00"', 'end = "07:00"')},
        ["agencies.toml: agencies entry 1, shift E: start and end are the same time"],
    ),
    "term ends before it starts": (
        {"partnership.toml": BASE_FILES["partnership.toml"].replace("end = 2026-03-27", "end = 2025-03-27")},
        ["partnership.toml: term 1, end: end 2025-03-27 is before start 2026-01-05"],
    ),
    "unknown bank holiday region": (
        {"partnership.toml": BASE_FILES["partnership.toml"].replace("GB-ENG", "GB-XYZ")},
        ["partnership.toml: bank_holidays: unknown subdivision in bank-holiday region 'GB-XYZ'"],
    ),
    "unexpected file": ({"peopel.toml": "x = 1\n"}, ["peopel.toml: unexpected file"]),
    "array instead of tables": ({"teams.toml": 'teams = "unit"\n'}, ["teams.toml: teams: expected a list"]),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_check_names_file_and_key_or_line(case: str, folder, run) -> None:
    files, expected = CASES[case]
    path = folder(files)
    result = run("check", path)
    assert result.code == 2, result.out + result.err
    for message in expected:
        assert f"{path}/{message}" in result.out, result.out[:3000]
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_failed_load_leaves_the_database_byte_for_byte(case: str, folder, run, tmp_path: Path) -> None:
    good = folder(name="good")
    assert run("load", good).code == 0
    db = tmp_path / "quorum.db"
    before = db.read_bytes()
    bad = folder(CASES[case][0], name="bad")
    result = run("load", bad)
    assert result.code == 2
    assert "nothing was loaded" in result.err
    assert db.read_bytes() == before


def test_failed_load_creates_no_database(folder, run, tmp_path: Path) -> None:
    result = run("load", folder({"teams.toml": None}))
    assert result.code == 2
    assert not (tmp_path / "quorum.db").exists()


def test_broken_copy_of_the_example_lists_every_problem(example_copy: Path, run) -> None:
    (example_copy / "patterns.toml").write_text(
        (example_copy / "patterns.toml")
        .read_text()
        .replace('days = "E E L L N N R R R R"', 'days = "E E L L X N R R R R"')
    )
    teams = (example_copy / "teams.toml").read_text().replace("offset = 6", "offset = 12")
    (example_copy / "teams.toml").write_text(teams)
    with (example_copy / "absences.csv").open("a") as f:
        f.write("sw-dunn,2026-03-05,2026-03-01,leave\n")
    result = run("check", example_copy)
    assert result.code == 2
    lines = result.out.splitlines()
    assert lines == [
        f"{example_copy}/teams.toml: teams entry 3, offset: offset 12 is outside the 10-day cycle 'police-6-on-4-off' "
        "(use 0 to 9) (in the entry at line 19)",
        f"{example_copy}/patterns.toml: cycles entry 1, day 5: unknown shift code 'X' "
        "(agency 'police' defines AL, E, L, N, R, SL, TR) (in the entry at line 8)",
        f"{example_copy}/absences.csv:12: end 2026-03-01 is before start 2026-03-05",
    ]


def test_not_a_folder(run, tmp_path: Path) -> None:
    result = run("check", tmp_path / "nowhere")
    assert result.code == 2
    assert "not a folder" in result.out


def test_example_checks_clean(run) -> None:
    from tests.conftest import EXAMPLE

    result = run("check", EXAMPLE)
    assert result.code == 0, result.out
    assert shutil.which("quorum") is not None


@pytest.mark.parametrize(
    ("line", "bad", "says"),
    [
        ("earliest = 2026-03-32", "earliest = 2026-03-32", "2026-03-32 is not a date Quorum can read"),
        ("fixed = 2026-03-26T25:00", "fixed = 2026-03-26T25:00", "2026-03-26T25:00 is not a date"),
        ('kind = "joint-visit"', "kind = joint-visit", 'text must be in double quotes: "joint-visit"'),
    ],
)
def test_a_toml_mistake_is_said_in_words_with_its_line(example_copy: Path, run, line: str, bad: str, says: str) -> None:
    path = example_copy / "requests.toml"
    text = path.read_text()
    if line not in text:  # the example's first request has no fixed time: give it one to break
        text = text.replace('kind = "joint-visit"', f'kind = "joint-visit"\n{line}', 1)
    path.write_text(text.replace(line, bad, 1))
    result = run("check", example_copy)
    at = path.read_text().splitlines().index(bad) + 1
    assert result.code == 2 and f"requests.toml:{at}: {says}" in result.out
    assert "Traceback" not in result.err


def test_an_address_whose_domain_has_an_empty_part_is_a_problem_not_a_fault(example_copy: Path, run) -> None:
    """sw@council..gov.uk: Python's IDNA codec raises a bare UnicodeError for the empty part; check says what
    is wrong with the address, in words, as for any other."""
    people = example_copy / "people.toml"
    text = people.read_text()
    first = text.index('email = "') + len('email = "')
    end = text.index('"', first)
    people.write_text(text[:first] + "sw@council..gov.uk" + text[end:])
    result = run("check", example_copy)
    assert result.code == 2
    assert "council..gov.uk" in result.out and "empty or over 63 characters" in result.out
    assert "Internal error" not in result.err
