"""What every group of tests needs: small partnership folders written as real files, the example (as it is,
copied, or loaded and solved once a run), a CLI runner, a frozen today and no personal settings; and the
suite's options (which tests are slow, how many workers).

Tests are grouped like the code (tests/rotas, store, solver, services, calendars, cli, ui, and product for
the whole product); a fixture that one group alone uses lives in that group's conftest.py, one that one
module uses in the module. The CalDAV and SMTP servers, which several groups use, are tests/servers.py."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scheduler.cli import main

# The radicale and smtp_server fixtures, for the calendars', the UI's and the product's tests.
pytest_plugins = ["tests.servers"]

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
EXAMPLE = ROOT / "examples" / "leeds"
# Today for every test (the example is dated March 2026), as the instant the example is loaded and solved
# at and that calls in-process are given as their "now".
NOW = datetime(2026, 3, 1, tzinfo=UTC)

BASE_FILES = {
    "partnership.toml": """
        name = "Tiny partnership"
        timezone = "Europe/London"
        bank_holidays = "GB-ENG"
        [coordinator]
        name = "Co Ordinator"
        email = "coordinator@example.org"
        [[terms]]
        start = 2026-01-05
        end = 2026-03-27
    """,
    "agencies.toml": """
        [[agencies]]
        id = "police"
        name = "Police"
        [agencies.shifts]
        E = { label = "Early", start = "07:00", end = "16:00" }
        L = { label = "Late", start = "14:00", end = "23:00" }
        N = { label = "Night", start = "22:00", end = "07:00" }
        R = { label = "Rest day", off = true }

        [[agencies]]
        id = "social-work"
        name = "Social work"
        [agencies.shifts]
        D = { label = "Office day", start = "09:00", end = "17:00" }
    """,
    "patterns.toml": """
        [[cycles]]
        name = "six-four"
        agency = "police"
        anchor = 2026-01-05
        days = "E E L L N N R R R R"

        [[weekly]]
        name = "office"
        agency = "social-work"
        rules = [{ days = ["MO", "TU", "WE", "TH", "FR"], shift = "D" }]
    """,
    "teams.toml": """
        [[teams]]
        id = "unit"
        name = "Police unit"
        agency = "police"
        pattern = "six-four"

        [[teams]]
        id = "district"
        name = "District team"
        agency = "social-work"
        pattern = "office"
    """,
    "people.toml": """
        [[people]]
        id = "officer"
        name = "DC One"
        email = "one@example.org"
        team = "unit"
        role = "Police officer"

        [[people]]
        id = "worker"
        name = "Sam Worker"
        email = "sam@example.org"
        team = "district"
        role = "Social worker"
    """,
}


def write_folder(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """A partnership folder from the base files with some replaced (None deletes one)."""
    root.mkdir(parents=True, exist_ok=True)
    merged: dict[str, str | bytes | None] = {**BASE_FILES, **files}
    for name, content in merged.items():
        if content is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")
    return root


@pytest.fixture
def folder(tmp_path: Path) -> Callable[..., Path]:
    def make(files: dict[str, str | bytes | None] | None = None, name: str = "partnership") -> Path:
        return write_folder(tmp_path / name, files or {})

    return make


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    target = tmp_path / "leeds"
    shutil.copytree(EXAMPLE, target)
    return target


# The quick set (`-m "not slow"`, while working) leaves out the end-to-end tests, which the full set
# (.ci/run) runs: any test that starts a server of its own (Radicale, an SMTP or IMAP server, one that
# trickles), or needs a partnership generated at scale, and the long flows named here (a subprocess that
# solves or sends, solves at scale, the UI's longest walks through forms and the palette). Measured on the
# 2-core machine: the quick set from 3 min 0 s to under 2 min (README, "Run the tests").
SLOW_FIXTURES = {"radicale", "smtp_server", "imap", "short_deadline", "slow_db", "big"}
END_TO_END = {
    "calendars/test_exactly_once.py::test_a_send_killed_between_acceptance_and_record_repeats_one_message_alike",
    "cli/test_cli.py::test_console_script_demo_runs",
    "product/test_concurrent_decisions.py::test_a_coordinator_in_the_ui_and_one_at_the_cli_lose_nothing",
    "product/test_concurrent_decisions.py::test_every_decision_made_during_a_solve_is_kept",
    "product/test_concurrent_decisions.py::test_two_adds_of_one_id_from_two_coordinators_keep_one_and_refuse_the_other",
    "product/test_hostile_input.py::test_a_chain_of_500_follow_ups_ends_at_the_time_limit_with_a_reason",
    "solver/test_solver_bound.py::test_a_short_solves_bound_is_above_what_a_longer_solve_finds",
    "solver/test_solver_pooled.py::test_every_schedule_fits_the_pooled_model_at_no_less_than_its_score",
    "solver/test_solver_search.py::test_neighbourhood_search_keeps_every_rule_and_never_loses_ground",
    "ui/test_ui_finding.py::test_escape_asks_before_dropping_a_half_filled_form",
    "ui/test_ui_finding.py::test_every_screen_keeps_its_keys_the_date_and_quit_in_80_columns",
    "ui/test_ui_finding.py::test_slash_filters_the_schedule_by_case_and_the_rotas_by_team_name",
    "ui/test_ui_finding.py::test_the_palette_cancels_a_meeting_after_asking",
    "ui/test_ui_finding.py::test_the_palette_opens_a_case_a_person_and_a_request_where_they_are_shown",
    "ui/test_ui_flows.py::test_a_broken_folder_is_explained_and_nothing_is_loaded",
    "ui/test_ui_flows.py::test_loading_a_second_partnership_switches_to_it",
    "ui/test_ui_flows.py::test_new_request_through_the_form_with_validation",
    "ui/test_ui_flows.py::test_the_form_keeps_example_requests_of_every_shape_as_they_are",
    "ui/test_ui_flows.py::test_the_screens_fit_80x24_without_colour",
    "ui/test_ui_replies.py::test_replies_fetched_on_the_export_screen_and_a_proposal_accepted_on_the_schedule",
    "ui/test_whatif_ui.py::test_what_if_at_80x24",
    "ui/test_whatif_ui.py::test_what_if_compares_a_scenario_and_writes_the_report",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        where = item.path.resolve()
        where = where.relative_to(TESTS).as_posix() if where.is_relative_to(TESTS) else where.name
        name = f"{where}::{getattr(item, 'originalname', item.name)}"
        if name in END_TO_END or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """One worker a core and one more for `-n auto`: the UI tests wait on the screen and the CalDAV and
    e-mail tests on their servers, and the extra worker uses that time (measured on the 2-core
    machine: 297 s against 311 s for the whole suite)."""
    return (os.cpu_count() or 1) + 1


@pytest.fixture(scope="session")
def _solved_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from scheduler.services import partnership as services
    from scheduler.services import scheduling

    db = tmp_path_factory.mktemp("solved-example") / "q.db"
    services.load(db, EXAMPLE, NOW)
    scheduling.solve(db, None, scheduling.SolveRequest(time_limit_s=20, alternatives=3), now=NOW)
    return db


@pytest.fixture
def solved_copy(_solved_example: Path, tmp_path: Path) -> Path:
    """The example loaded and solved (at NOW, with three alternatives each) once per run, copied for
    each test: solving takes the time, and a test may change its copy as it likes."""
    shutil.copy(_solved_example, tmp_path / "q.db")
    return tmp_path / "q.db"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Result]:
    """Run ``quorum ARGS`` in-process against a database in the test's temp folder."""
    monkeypatch.setenv("QUORUM_DB", str(tmp_path / "quorum.db"))
    monkeypatch.delenv("QUORUM_PARTNERSHIP", raising=False)
    monkeypatch.delenv("QUORUM_DEBUG", raising=False)

    def invoke(*args: str | Path) -> Result:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The example is dated March 2026: every command and the UI take 1 March 2026 as today, whatever the
    real date (subprocesses inherit it). A test of the real clock or of --today sets its own."""
    from scheduler import today

    monkeypatch.setenv(today.ENV_TODAY, NOW.date().isoformat())
    today.freeze(None)
    yield
    today.freeze(None)


@pytest.fixture(autouse=True)
def _no_personal_keymap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The UI reads the user's keymap.toml and settings.toml (and writes the latter); tests must not depend
    on the machine's, nor change them."""
    monkeypatch.setenv("QUORUM_KEYMAP", str(tmp_path / "no-keymap.toml"))
    monkeypatch.setenv("QUORUM_SETTINGS", str(tmp_path / "settings.toml"))
