"""A real "now": nothing is placed before today, and today can be frozen (--today, QUORUM_TODAY)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import EXAMPLE


def placed_and_reasons(out: str) -> tuple[int, dict[str, str]]:
    doc = json.loads(out)
    return len(doc["meetings"]), {u["request"]: u["reason"] for u in doc["unscheduled"]}


def test_nothing_is_placed_before_today(loaded, run) -> None:
    """Today in December 2026: every request of the example (March 2026) is past; none is placed."""
    result = run("--today", "2026-12-02", "solve", "--strategy", "greedy", "--json")
    assert result.code == 0, result.err
    placed, reasons = placed_and_reasons(result.out)
    assert placed == 0
    assert set(reasons.values()) <= {"past", "dependency"} and "past" in reasons.values()
    text = run("--today", "2026-12-02", "schedule").out
    assert "has passed: today is Wed 2 Dec" in text


def test_a_window_open_today_is_placed_from_now_on(loaded, run) -> None:
    result = run("--today", "2026-03-26", "solve", "--strategy", "greedy", "--json")
    doc = json.loads(result.out)
    assert doc["meetings"] and all(m["start"] >= "2026-03-26" for m in doc["meetings"])
    reasons = {u["request"]: u["reason"] for u in doc["unscheduled"]}
    assert reasons["sd-10482"] == "past" and reasons["jv-10482"] == "past"
    assert "cg-10290" in {m["request"] for m in doc["meetings"]}  # fixed at 10:00 on the 26th: still ahead


def test_the_environment_variable_and_the_option_agree(loaded, run, monkeypatch: pytest.MonkeyPatch) -> None:
    by_option = run("--today", "2026-03-26", "solve", "--strategy", "greedy", "--json").out
    monkeypatch.setenv("QUORUM_TODAY", "2026-03-26")
    by_variable = run("solve", "--strategy", "greedy", "--json").out
    strip = lambda out: {k: v for k, v in json.loads(out).items() if k != "wall_time_s"}  # noqa: E731
    assert strip(by_option) == strip(by_variable)


@pytest.mark.parametrize("value", ["2026-13-01", "tomorrow", "9999-12-31"])
def test_a_bad_today_is_exit_2(run, value: str) -> None:
    result = run("--today", value, "check", EXAMPLE)
    assert result.code == 2 and "--today" in result.err and "Internal error" not in result.err


def test_a_move_into_the_past_is_refused(loaded, run) -> None:
    assert run("solve", "--strategy", "greedy").code == 0
    result = run("--today", "2026-03-25", "move", "jv-10530", "--to", "2026-03-24T10:00")
    assert result.code == 2 and "has passed (today is Wed 25 Mar 2026)" in result.err


def test_check_warns_of_windows_wholly_past_and_still_passes(run) -> None:
    result = run("--today", "2026-03-26", "check", EXAMPLE)
    assert result.code == 0
    warned = [line for line in result.out.splitlines() if ": warning: " in line]
    assert {line.split("warning: ")[1].split(":")[0] for line in warned} == {
        "sd-10482",
        "sd-10495",
        "jv-10482",
        "jv-10544",
    }
    assert "window closed on Tue 24 Mar 2026, before today (Thu 26 Mar 2026)" in result.out
    assert ": warning: " not in run("--today", "2026-03-01", "check", EXAMPLE).out


def test_the_demo_without_a_terminal_solves_its_own_fortnight(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUORUM_TODAY", "2026-12-02")  # the demo freezes its own today whatever is set
    result = run("demo", "--no-ui", "--time-limit", "5")
    assert result.code == 0 and "Placed 22 of 25 requests" in result.out


def test_the_real_clock_is_used_when_nothing_is_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, date, datetime

    from scheduler import today

    monkeypatch.delenv("QUORUM_TODAY")
    assert today.today() == date.today() and abs((today.now() - datetime.now(UTC)).total_seconds()) < 5
    today.freeze(date(2026, 3, 23))
    assert today.now() == datetime(2026, 3, 23, tzinfo=UTC)


def test_dates_carry_the_year_only_when_it_is_not_this_years() -> None:
    from datetime import date, datetime

    from scheduler.today import day_text, moment_text

    assert day_text(date(2026, 3, 24), date(2026, 3, 1)) == "Tue 24 Mar"
    assert day_text(date(2026, 3, 24), date(2026, 11, 20)) == "Tue 24 Mar"  # same year: no doubt
    assert day_text(date(2027, 1, 5), date(2026, 11, 20)) == "Tue 05 Jan 2027"
    assert moment_text(datetime(2025, 12, 30, 9, 30), date(2026, 1, 2)) == "Tue 30 Dec 2025 09:30"
    assert day_text(date(2027, 1, 5), date(2026, 11, 20), padded=False) == "Tue 5 Jan 2027"


def test_the_schedule_keeps_the_solvers_figures_for_details(run, solved_copy) -> None:
    plain = run("--db", solved_copy, "schedule")
    assert plain.code == 0 and plain.out.startswith("Placed 22 of 25 requests.")
    assert "objective" not in plain.out and "feasible" not in plain.out and "slot" not in plain.out
    detailed = run("--db", solved_copy, "schedule", "--details")
    assert "Solver: cpsat" in detailed.out and "objective" in detailed.out and "bound" in detailed.out


def test_help_lists_the_coordinators_commands_first_and_the_tools_apart(run) -> None:
    from scheduler.cli.main import SECTIONS, cli

    out = run("--help").out
    assert out.index("Start:") < out.index("Arrange meetings:") < out.index("Tools for testing and tuning:")
    assert "Other:" not in out  # every command has its section
    assert sorted(n for names in SECTIONS.values() for n in names) == sorted(cli.commands)
    tools = out[out.index("Tools for testing and tuning:") :]
    assert all(f"  {name} " in tools for name in ("bench", "generate", "schema"))
