"""The quorum command end to end: output, JSON, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from scheduler.services import partnership as services
from tests.conftest import EXAMPLE, ROOT

COMMANDS = [
    "check",
    "load",
    "availability",
    "overlap",
    "demo",
    "schema",
    "solve",
    "schedule",
    "lock",
    "unlock",
    "move",
    "cancel",
    "generate",
    "bench",
    "standing",
    "export",
    "export rota",
    "replies",
    "request",
    "request add",
    "request edit",
    "request rm",
    "request list",
]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help(run, command: str | None) -> None:
    result = run(*(command.split() if command else []), "--help")
    assert result.code == 0
    assert "Usage: quorum" in result.out


def test_load_prints_one_line_summary(run) -> None:
    result = run("load", EXAMPLE)
    assert result.code == 0, result.err
    assert result.out.strip().splitlines() == [
        "Loaded Leeds Safeguarding Partnership (example) (leeds-example): 5 agencies, 13 teams, 50 people, "
        "25 requests (8 absences, 4 duty-sheet rows, 1 busy calendar)"
    ]


def test_availability_json_has_local_offsets(run) -> None:
    assert run("load", EXAMPLE).code == 0
    result = run("availability", "--from", "2026-03-28", "--days", "2", "--person", "ds-brennan", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    (person,) = doc["people"]
    assert person["id"] == "ds-brennan"
    starts = [i["start"] for i in person["intervals"]]
    # Lates on Sat 28 (GMT) and Sun 29 March (BST): same wall clock, different offsets.
    assert starts == ["2026-03-28T14:00:00+00:00", "2026-03-29T14:00:00+01:00"]
    for interval in person["intervals"]:
        assert datetime.fromisoformat(interval["end"]) > datetime.fromisoformat(interval["start"])


def test_availability_text_by_team(run) -> None:
    run("load", EXAMPLE)
    result = run("availability", "--from", "2026-03-30", "--days", "1", "--team", "sw-west")
    assert result.code == 0
    assert "Kwame Osei (sw-osei), social-work / sw-west: 8.0 h on duty" in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--person", "nobody"], "no person 'nobody'"),
        (["--team", "nowhere"], "no team 'nowhere'"),
        (["--agency", "fire"], "no agency 'fire'"),
        (["--person", "dc-patel", "--team", "pvu"], "at most one of"),
    ],
)
def test_availability_bad_selection(run, args: list[str], message: str) -> None:
    run("load", EXAMPLE)
    result = run("availability", "--from", "2026-03-23", *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    "args",
    [["--from", "23/03/2026"], ["--from", "2026-03-23", "--days", "0"], ["--from", "2026-03-23", "--days", "x"], []],
)
def test_bad_options_exit_2(run, args: list[str]) -> None:
    run("load", EXAMPLE)
    result = run("overlap", *args)
    assert result.code == 2
    assert "Error" in result.err


def test_no_database_yet(run) -> None:
    result = run("overlap", "--from", "2026-03-23")
    assert result.code == 2
    assert "load a partnership first" in result.err


def test_internal_error_exits_1_without_traceback(run, monkeypatch: pytest.MonkeyPatch) -> None:
    run("load", EXAMPLE)

    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(services, "overlap_report", broken)
    result = run("overlap", "--from", "2026-03-23")
    assert result.code == 1
    assert "Internal error: RuntimeError: solver exploded" in result.err
    assert "Traceback" not in result.err


def test_overlap_json(run) -> None:
    run("load", EXAMPLE)
    result = run("overlap", "--from", "2026-03-23", "--days", "14", "--json")
    doc = json.loads(result.out)
    assert doc["from"] == "2026-03-23" and doc["days"] == 14 and doc["timezone"] == "Europe/London"
    pairs = {(x["a"], x["b"]) for x in doc["agencies"]}
    assert len(pairs) == 10 and ("police", "social-work") in pairs
    assert len(doc["teams"]) == 13 * 12 // 2


def test_schema_command_writes_what_is_published(run, tmp_path: Path) -> None:
    result = run("schema", "--out", tmp_path / "schemas")
    assert result.code == 0
    for path in (tmp_path / "schemas").iterdir():
        published = ROOT / "docs" / "schema" / path.name
        assert published.read_text() == path.read_text(), f"docs/schema/{path.name} is stale: run quorum schema"


def test_console_script_demo_runs() -> None:
    """The README's first command, as a real process. Without a terminal (as here) it prints the overlap
    table and the solved fortnight instead of opening the UI; the UI itself is driven in test_ui*.py."""
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "demo"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "police + social-work" in done.stdout
    assert "Loaded Leeds Safeguarding Partnership (example)" in done.stdout
    assert "Placed 22 of 25 requests." in done.stdout


def test_no_command_opens_the_ui_only_in_a_terminal(run, tmp_path: Path) -> None:
    """`quorum` alone means the UI; without a terminal it says so instead of drawing into a pipe."""
    result = run("--db", str(tmp_path / "q.db"))
    assert result.code == 2 and "needs a terminal" in result.err
    result = run("--db", str(tmp_path / "q.db"), "tui")
    assert result.code == 2 and "needs a terminal" in result.err


def test_db_may_come_after_the_command_too(run, tmp_path: Path) -> None:
    db = tmp_path / "elsewhere.db"
    assert run("load", EXAMPLE, "--db", db).code == 0
    assert db.exists() and not (tmp_path / "quorum.db").exists()
    solved = run("solve", "--strategy", "greedy", "--db", db)
    assert solved.code == 0 and "Placed 22 of 25" in solved.out
    assert "sd-10482" in run("request", "list", "--db", db).out
