"""The coordinator's flow on the example: solve, inspect, lock, move, cancel, requests from the CLI."""

from __future__ import annotations

import json

import pytest

MEETING_KEYS = {
    "request",
    "kind",
    "case",
    "start",
    "end",
    "location",
    "attendees",
    "absent",
    "agencies_invited",
    "agencies_present",
    "alternatives",
}
ABSENCE_REASONS = {"off_duty", "absence", "clash", "travel", "daily_limit"}


def solve_json(run, *args: str) -> dict:
    result = run("solve", "--json", "--time-limit", "20", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def quick_json(run, *args: str) -> dict:
    """For a test of what happens around a solve (locks, moves, cancels, what is stored), not of the
    solver: greedy's schedule, in a second rather than CP-SAT's five."""
    result = run("solve", "--json", "--strategy", "greedy", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_example_solve_places_what_can_be_placed_and_explains_the_rest(loaded) -> None:
    doc = solve_json(loaded, "--alternatives", "2")
    assert doc["status"] == "OPTIMAL" and doc["objective"] == doc["bound"]
    assert doc["objective"] >= doc["greedy_objective"]
    assert len(doc["meetings"]) == 22
    assert {u["request"] for u in doc["unscheduled"]} == {"jv-10531", "jv-10541", "rcpc-10298"}
    for u in doc["unscheduled"]:
        assert u["reason"] == "no_common_time" and u["detail"] and u["suggestions"]
    jv = next(u for u in doc["unscheduled"] if u["request"] == "jv-10541")
    assert jv["detail"] == (
        "no time from Thu 26 Mar to Thu 2 Apr when Folake Adeyemi (required) and DC Anita Patel (required) "
        "are both on duty; the earliest is Tue 7 Apr 14:30"
    )
    assert (
        "DC Anita Patel: Thu 26 Mar-Fri 27 Mar: early 07:00-16:00; Sat 28 Mar-Sun 29 Mar: late 14:00-23:00; "
        "Mon 30 Mar-Thu 2 Apr: on leave" in jv["suggestions"]
    )
    for m in doc["meetings"]:
        assert set(m) >= MEETING_KEYS
        assert set(m["agencies_present"]) <= set(m["agencies_invited"])
        for x in m["absent"]:
            assert x["reason"] in ABSENCE_REASONS and x["detail"]
        for a in m["attendees"]:
            assert a["role"] in {"required", "optional", "slot"} and isinstance(a["off_duty"], bool)
        assert m["start"][-6:] in {"+00:00", "+01:00"}
    # The chain of case CP-10482: strategy discussion, then conference, then core group.
    at = {m["request"]: m["start"] for m in doc["meetings"]}
    assert at["sd-10482"] < at["icpc-10482"] < at["cg-10482"]
    # The core group fixed by the chair stays at its time.
    assert at["cg-10290"] == "2026-03-26T10:00:00+00:00"


def test_schedule_shows_what_was_stored(loaded) -> None:
    solved = quick_json(loaded)
    shown = json.loads(loaded("schedule", "--json").out)
    assert [m["request"] for m in shown["meetings"]] == [m["request"] for m in solved["meetings"]]
    assert [m["start"] for m in shown["meetings"]] == [m["start"] for m in solved["meetings"]]
    assert {u["request"] for u in shown["unscheduled"]} == {u["request"] for u in solved["unscheduled"]}
    text = loaded("schedule").out
    assert "Placed 22 of 25 requests." in text
    assert "Not scheduled:" in text


def test_lock_keeps_a_meeting_through_a_re_solve_and_move_picks_an_alternative(loaded) -> None:
    first = quick_json(loaded, "--alternatives", "2")
    target = next(m for m in first["meetings"] if m["request"] == "pm-10549")
    alternative = target["alternatives"][0]
    moved = loaded("move", "pm-10549", "--alternative", "1")
    assert moved.code == 0, moved.err
    assert "and locked it" in moved.out
    again = quick_json(loaded)
    after = next(m for m in again["meetings"] if m["request"] == "pm-10549")
    assert after["start"] == alternative["start"] and after["locked"] is True
    assert loaded("unlock", "pm-10549").code == 0
    assert loaded("lock", "sd-10482").code == 0


def test_move_to_an_impossible_time_is_refused(loaded) -> None:
    quick_json(loaded)
    result = loaded("move", "jv-10482", "--to", "2026-03-24T03:00")
    assert result.code == 2
    assert "is not a possible start for jv-10482" in result.err


def test_cancel_removes_a_meeting_until_rescheduled(loaded) -> None:
    quick_json(loaded)
    assert loaded("cancel", "pm-10552").code == 0
    doc = quick_json(loaded)
    assert "pm-10552" not in {m["request"] for m in doc["meetings"]}
    doc = quick_json(loaded, "--reschedule", "pm-10552")
    assert "pm-10552" in {m["request"] for m in doc["meetings"]}


def test_same_seed_and_work_limit_give_the_same_schedule(loaded) -> None:
    # Half a deterministic second is enough to show it: the same work gives the same answer.
    a = solve_json(loaded, "--work-limit", "0.5", "--seed", "7")
    b = solve_json(loaded, "--work-limit", "0.5", "--seed", "7")
    assert [(m["request"], m["start"], [x["person"] for x in m["attendees"]]) for m in a["meetings"]] == [
        (m["request"], m["start"], [x["person"] for x in m["attendees"]]) for m in b["meetings"]
    ]


def test_greedy_strategy(loaded) -> None:
    doc = solve_json(loaded, "--strategy", "greedy")
    assert doc["status"] == "HEURISTIC" and doc["bound"] is None
    assert doc["objective"] == doc["greedy_objective"]


def test_request_add_edit_list_rm(loaded) -> None:
    added = loaded(
        "request",
        "add",
        "pm-new",
        "--kind",
        "professionals-meeting",
        "--case",
        "CP-20001",
        "--earliest",
        "2026-03-30",
        "--latest",
        "2026-04-01",
        "--invite",
        "sw-osei",
        "--optional",
        "yw-barker",
        "--slot",
        "team=pvu,label=an officer",
    )
    assert added.code == 0, added.err
    assert "Added pm-new" in added.out
    edited = loaded("request", "edit", "pm-new", "--duration", "45", "--venue", "hub")
    assert edited.code == 0, edited.err
    items = json.loads(loaded("request", "list", "--json").out)
    mine = next(i for i in items if i["id"] == "pm-new")
    assert (mine["duration"], mine["venue"], mine["source"], mine["state"]) == (45, "hub", "cli", "pending")
    doc = solve_json(loaded)
    assert "pm-new" in {m["request"] for m in doc["meetings"]}
    assert loaded("request", "rm", "pm-new").code == 0
    assert "pm-new" not in {i["id"] for i in json.loads(loaded("request", "list", "--json").out)}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "joint-visit", "--case", "Jayden Smith", "--earliest", "2026-03-30"], "is not a case reference"),
        (
            ["--kind", "joint-visit", "--case", "CP-20002", "--earliest", "2026-03-30", "--invite", "nobody"],
            "unknown person 'nobody'",
        ),
        (
            [
                "--kind",
                "custom",
                "--case",
                "CP-20003",
                "--earliest",
                "2026-03-30",
                "--latest",
                "2026-03-29",
                "--invite",
                "sw-osei",
            ],
            "the window ends before it starts",
        ),
        (
            [
                "--kind",
                "custom",
                "--case",
                "CP-20004",
                "--earliest",
                "2026-03-30T10:00",
                "--latest",
                "2026-03-30T10:30",
                "--invite",
                "sw-osei",
            ],
            "60 minutes does not fit in the window",
        ),
        (["--kind", "custom", "--case", "CP-20005", "--invite", "sw-osei"], "give earliest (and latest), or within"),
        (["--kind", "custom", "--case", "CP-20006", "--earliest", "soon"], "is not a date"),
        (
            [
                "--kind",
                "core-group",
                "--case",
                "CP-20007",
                "--within",
                "10",
                "--of",
                "no-such-request",
                "--invite",
                "sw-osei",
            ],
            "unknown request 'no-such-request'",
        ),
        (
            ["--kind", "custom", "--case", "CP-20008", "--earliest", "2026-03-30", "--slot", "squad=pvu"],
            "write key=value pairs",
        ),
    ],
)
def test_bad_requests_are_refused_and_nothing_saved(loaded, args: list[str], message: str) -> None:
    before = loaded("request", "list", "--json").out
    result = loaded("request", "add", "bad", *args)
    assert result.code == 2
    assert message in result.err, result.err
    assert "Traceback" not in result.err
    assert loaded("request", "list", "--json").out == before


def test_removing_a_request_others_depend_on_is_refused(loaded) -> None:
    result = loaded("request", "rm", "sd-10482")
    assert result.code == 2
    assert "icpc-10482 must follow sd-10482" in result.err


def test_requests_file_problems_are_located(run, example_copy) -> None:
    text = (example_copy / "requests.toml").read_text()
    text = text.replace('case = "CP-10482"\nearliest = 2026-03-23', 'case = "Baby Smith"\nearliest = 2026-03-23', 1)
    text = text.replace('within = { of_request = "icpc-10495" }', 'within = { of_request = "cg-10495" }')
    (example_copy / "requests.toml").write_text(text)
    result = run("check", example_copy)
    assert result.code == 2
    assert (
        f"{example_copy}/requests.toml: requests entry 1, case: 'Baby Smith' is not a case reference (two to four "
        "capital letters, a hyphen, then three to eight digits, such as CP-10482); never put a child's or family's "
        "name here"
    ) in result.out
    assert (
        f"{example_copy}/requests.toml: requests entry 10, within, of_request: a request cannot be within days of "
        "itself"
    ) in result.out


def test_a_deadline_cycle_is_reported(run, example_copy) -> None:
    text = (example_copy / "requests.toml").read_text()
    text = text.replace(
        'kind = "strategy-discussion"\ncase = "CP-10482"\nearliest = 2026-03-23',
        'kind = "strategy-discussion"\ncase = "CP-10482"\nwithin = { of_request = "cg-10482" }',
        1,
    )
    (example_copy / "requests.toml").write_text(text)
    result = run("check", example_copy)
    assert result.code == 2
    assert (
        f"{example_copy}/requests.toml: requests entry 1, within, of_request: requests wait on each other in a "
        "cycle: "
        "sd-10482 -> cg-10482 -> icpc-10482 -> sd-10482"
    ) in result.out


def test_the_stored_schedule_reads_as_the_solve_printed_it(run, example_copy) -> None:
    """`quorum schedule` once lost the place ("joint-visit  ()") and the agencies asked ("(2 agencies)")."""
    assert run("load", example_copy).code == 0
    solved = run("solve", "--strategy", "greedy").out
    stored = run("schedule").out

    def heads(text: str) -> list[str]:
        return [line for line in text.splitlines() if "  CP-" in line or line.strip().startswith("present:")]

    assert heads(stored) == heads(solved) and heads(stored)
    assert "(family home)" in stored and " of " in next(x for x in heads(stored) if "present:" in x)
    assert "  ()" not in stored


def test_a_meeting_fixed_by_its_request_is_marked_and_moves_only_with_force(run, example_copy) -> None:
    assert run("load", example_copy).code == 0
    assert run("solve", "--strategy", "greedy", "--alternatives", "1").code == 0
    assert "[fixed by its request]" in next(x for x in run("schedule").out.splitlines() if "cg-10290" in x)
    refused = run("move", "cg-10290", "--alternative", "1")
    assert refused.code == 2 and "is fixed at Thu 26 Mar 2026 10:00 by its request" in refused.err
    assert "Thu 26 Mar 10:00" in next(x for x in run("schedule").out.splitlines() if "cg-10290" in x)
    alternatives = json.loads(run("schedule", "--json").out)
    options = next(m for m in alternatives["meetings"] if m["request"] == "cg-10290")["alternatives"]
    if options:  # the chair's time may be the only one that works
        assert run("move", "cg-10290", "--alternative", "1", "--force").code == 0


def test_check_warns_when_a_kind_needs_an_agency_the_partnership_lacks(run, example_copy) -> None:
    agencies = example_copy / "agencies.toml"
    agencies.write_text(agencies.read_text().replace('id = "health"\n', 'id = "health"\nkind = "other"\n'))
    result = run("check", example_copy)
    assert result.code == 0
    assert (
        "warning: sd-10482: a strategy discussion needs health, but no agency in agencies.toml has kind = 'health'"
        in result.out
    )
    assert "warning: jv-10482" not in result.out  # a joint visit needs police and social work only
