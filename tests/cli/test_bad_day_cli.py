"""A coordinator's bad day at the command line (issue 24): advice as commands, requests in the past, file
problems as they are read, moves after a plain solve, words, and one default time limit."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import BASE_FILES, EXAMPLE

# A strategy discussion on the officer's rest day (it cannot be placed) and the joint visit that must
# follow it, listed first in the file.
FOLLOWING = """
[[requests]]
id = "jv-20002"
kind = "joint-visit"
case = "CP-20002"
within = { working_days = 2, of_request = "sd-20002" }
invite = [{ person = "worker" }, { person = "officer" }]

[[requests]]
id = "sd-20002"
kind = "strategy-discussion"
case = "CP-20002"
earliest = 2026-03-04
latest = 2026-03-04
invite = [{ person = "worker" }, { person = "officer" }]
"""


def solve_json(run, *args: str) -> dict:
    result = run("solve", "--json", "--strategy", "greedy", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


# -- items 2, 8 and 15: why not placed, in order, with commands -------------------------------------------


def test_not_placed_in_the_order_they_follow_with_the_window_said_as_it_is(folder, run) -> None:
    assert run("load", folder({"requests.toml": FOLLOWING})).code == 0
    doc = solve_json(run)
    assert [u["request"] for u in doc["unscheduled"]] == ["sd-20002", "jv-20002"]  # the visit after its discussion
    sd = doc["unscheduled"][0]
    assert sd["detail"].startswith("no time on Wed 4 Mar when DC One (required) is on duty"), sd["detail"]
    shown = run("schedule").out
    assert shown.index("sd-20002  CP-20002") < shown.index("jv-20002  CP-20002")


def test_the_example_says_what_to_do_as_commands(run) -> None:
    assert run("load", EXAMPLE).code == 0
    doc = solve_json(run)
    jv = next(u for u in doc["unscheduled"] if u["request"] == "jv-10531")
    assert jv["detail"].startswith("no time from Tue 24 Mar to Fri 27 Mar when Daniel Lam (required)")
    assert any(s.endswith("(quorum request edit jv-10531 --latest 2026-03-30)") for s in jv["suggestions"])
    assert {"how": "edit_request", "request": "jv-10531", "fields": ["latest"]}.items() <= jv["advice"][0].items()


# -- item 3: a request whose window has passed ------------------------------------------------------------


def test_a_request_wholly_in_the_past_is_refused_with_its_reason(run) -> None:
    assert run("load", EXAMPLE).code == 0
    args = ["request", "add", "pm-30009", "--kind", "professionals-meeting", "--case", "CP-30009"]
    args += ["--earliest", "2026-02-02", "--latest", "2026-02-06", "--invite", "sw-osei"]
    refused = run(*args)
    assert refused.code == 2
    assert "window closed on Fri 06 Feb 2026, before today (Sun 01 Mar 2026)" in refused.err
    assert "--allow-past" in refused.err and "nothing was saved" in refused.err
    assert "pm-30009" not in run("request", "list").out
    assert run(*args, "--allow-past").code == 0  # kept on record, on purpose


# -- item 7: file problems -----------------------------------------------------------------------------------


def test_one_unknown_team_is_one_problem_not_three(folder, run) -> None:
    files = {
        "people.toml": BASE_FILES["people.toml"].replace('team = "unit"', 'team = "unti"'),
        "absences.csv": "person,start,end,kind\nofficer,2026-03-05,2026-03-06,leave\n",
        "duty-sheet.csv": "date,person,shift_code\n2026-03-02,officer,E\n",
    }
    result = run("check", folder(files))
    assert result.code == 2
    assert result.out.count("\n") == 1, result.out
    assert "people entry 1, team: unknown team 'unti' (teams.toml defines district, unit; did you mean 'unit'?)" in (
        result.out
    )


def test_every_problem_of_a_csv_line_in_one_run_with_did_you_mean(folder, run) -> None:
    files = {"absences.csv": "person,start,end,kind\nworkr,2026-03-32,soon,leve\n"}
    out = run("check", folder(files)).out
    assert "absences.csv:2: unknown person 'workr' (use the id from people.toml; did you mean 'worker'?)" in out
    assert "absences.csv:2: unknown kind 'leve'" in out and "did you mean 'leave'?" in out
    assert "absences.csv:2: start '2026-03-32' is not a date" in out and "absences.csv:2: end 'soon'" in out


def test_an_open_quote_is_said_and_hides_nothing_else(folder, run) -> None:
    files = {
        "people.toml": BASE_FILES["people.toml"].replace('name = "DC One"', 'name = "DC One'),
        "absences.csv": "person,start,end,kind\nworker,2026-03-05,2026-03-01,leave\n",
    }
    out = run("check", folder(files)).out
    assert "people.toml:3: a quote is not closed" in out
    assert "absences.csv:2: end 2026-03-01 is before start 2026-03-05" in out  # not hidden by people.toml


def test_list_entries_are_counted_from_one(example_copy: Path, run) -> None:
    path = example_copy / "requests.toml"
    path.write_text(path.read_text().replace('invite = [{ person = "sw-lam" }]', 'invite = [{ person = "sw-lamm" }]'))
    out = run("check", example_copy).out
    assert "requests entry 13, invite 1, person: unknown person 'sw-lamm'" in out and "did you mean 'sw-lam'?" in out


def test_a_mistyped_invitee_is_the_only_problem_said(run) -> None:
    assert run("load", EXAMPLE).code == 0
    result = run(
        "request", "add", "pm-1", "--kind", "professionals-meeting", "--case", "CP-20001",
        "--earliest", "2026-03-30", "--invite", "sw-ossei",
    )  # fmt: skip
    assert result.code == 2
    assert "invite 1, person: unknown person 'sw-ossei'" in result.err and "did you mean 'sw-osei'?" in result.err
    assert "invite at least one" not in result.err


# -- item 9: moving -------------------------------------------------------------------------------------------


def test_the_readmes_move_works_after_a_plain_solve_and_a_refused_move_says_why(run) -> None:
    assert run("load", EXAMPLE).code == 0
    assert run("solve", "--strategy", "greedy").code == 0
    first = run("move", "jv-10482", "--alternative", "1")  # as the README has it
    assert first.code == 0, first.err
    again = run("move", "jv-10482", "--alternative", "1")  # a moved meeting keeps none: worked out now
    assert again.code == 0, again.err
    typo = run("move", "jv-1048", "--alternative", "1")
    assert typo.code == 2 and "did you mean 'jv-10482'?" in typo.err
    grain = run("move", "jv-10482", "--to", "2026-03-24T10:07")
    assert "meetings start on the 15-minute grain (e.g. 10:00 or 10:15)" in grain.err
    rest = run("move", "sd-10482", "--to", "2026-03-28T10:00")
    assert "(required) are not on duty then" in rest.err or "(required) is not on duty then" in rest.err, rest.err


# -- items 13 and 15: words, one time limit ----------------------------------------------------------------


def test_counts_are_said_in_words(folder, run) -> None:
    assert "1 busy calendar)" in run("load", EXAMPLE).out
    assert run("check", folder({"teams.toml": None})).err.startswith("1 problem found in")


def test_a_server_that_is_not_there_is_said_in_words(run, tmp_path: Path) -> None:
    from tests.servers import free_port

    assert run("load", EXAMPLE).code == 0
    assert run("solve", "--strategy", "greedy").code == 0
    result = run("publish", "--url", f"http://127.0.0.1:{free_port()}/")
    assert result.code == 2 and "the connection was refused" in result.err
    assert "Error'" not in result.err and "ConnectionRefusedError" not in result.err


def test_one_default_time_limit_for_the_cli_and_the_demo(run) -> None:
    from click.testing import CliRunner

    from scheduler.cli.main import cli

    for command in ("solve", "demo"):
        text = " ".join(CliRunner().invoke(cli, [command, "--help"]).output.split())
        assert "10.0" not in text and "20.0" not in text, text
    solve_help = " ".join(CliRunner().invoke(cli, ["solve", "--help"]).output.split())
    assert "else 30" in solve_help
