"""quorum whatif: the three example scenarios checked against independent counts, bad scenarios, determinism.

The independent counts: overlap hours worked out minute by minute from each person's roster (shifts,
absences, busy time), not with the interval arithmetic the comparison uses; and the requests placed by two
ordinary `quorum solve` runs, one on the example's folder and one on a copy edited by hand into what the
scenario describes, with the same seed and work limit.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from rotas import load_folder
from rotas.availability import absences_between
from rotas.clock import day_span, zone
from rotas.model import Partnership
from rotas.roster import roster
from tests.conftest import EXAMPLE

SCENARIOS = EXAMPLE / "scenarios"
FIRST, DAYS = date(2026, 3, 23), 14
WINDOW = ["--from", FIRST.isoformat(), "--days", str(DAYS)]
SOLVE = ["--seed", "0", "--work-limit", "2"]


# -- independent counts --------------------------------------------------------------------------


def hours_by_steps(p: Partnership, agencies: list[str], step_minutes: int = 5) -> float:
    """Hours a week when each of ``agencies`` has someone on duty, counted in steps of ``step_minutes``:
    on duty when a roster shift covers the step and no absence (or busy time) touches it."""
    tz = zone(p.timezone)
    lo, hi = day_span(FIRST, DAYS, tz)
    days = roster(p, FIRST - timedelta(days=1), DAYS + 1)
    away = absences_between(p, lo, hi)
    agency_of = {x.id: x.agency for x in p.people}
    count = 0
    t = lo
    step = timedelta(minutes=step_minutes)
    while t < hi:
        present = set()
        for person, person_days in days.items():
            if agency_of[person] in present:
                continue
            on = any(s <= t and t + step <= e for d in person_days for s, e in d.intervals)
            if on and not any(a.start < t + step and a.end > t for a in away.get(person, ())):
                present.add(agency_of[person])
        count += all(a in present for a in agencies)
        t += step
    return count * step_minutes / 60 / (DAYS / 7)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def edited_copy(tmp: Path, name: str, successors: dict[str, str]) -> Path:
    """The example folder edited by hand into what scenario ``name`` describes."""
    folder = tmp / f"edited-{name}"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("scenarios"))

    def edit(file: str, old: str, new: str) -> None:
        path = folder / file
        text = path.read_text()
        assert text.count(old) == 1, (file, old)
        path.write_text(text.replace(old, new))

    if name == "police-relief":
        edit(
            "teams.toml",
            'id = "cse-mp"\nname = "CSE & Missing Persons Unit"\nagency = "police"\n'
            'pattern = "police-6-on-4-off"\noffset = 6',
            'id = "cse-mp"\nname = "CSE & Missing Persons Unit"\n'
            'agency = "police"\npattern = "police-6-on-4-off"\noffset = 3',
        )
    elif name == "sw-late-duty":
        edit(
            "agencies.toml",
            'AM = { label = "Morning", start = "09:00", end = "13:00" }',
            'AM = { label = "Morning", start = "09:00", end = "13:00" }\n'
            'LT = { label = "Late duty", start = "12:00", end = "20:00" }',
        )
        with (folder / "patterns.toml").open("a") as f:
            f.write(
                '\n[[weekly]]\nname = "sw-late-tue-thu"\nagency = "social-work"\nrules = [\n'
                '  { days = ["MO", "WE", "FR"], shift = "D" },\n  { days = ["TU", "TH"], shift = "LT" },\n]\n'
            )
        edit(
            "teams.toml",
            'id = "sw-east"\nname = "East district social work team"\nagency = "social-work"\npattern = "sw-office"',
            'id = "sw-east"\nname = "East district social work team"\n'
            'agency = "social-work"\npattern = "sw-late-tue-thu"',
        )
    else:  # caseholder-leaves: sw-adeyemi out of people, absences and requests; the successor invited instead
        people = tomllib.loads((folder / "people.toml").read_text())["people"]
        (folder / "people.toml").write_text(
            "".join(
                "[[people]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in x.items()) + "\n"
                for x in people
                if x["id"] != "sw-adeyemi"
            )
        )
        rows = (folder / "absences.csv").read_text().splitlines(keepends=True)
        (folder / "absences.csv").write_text("".join(r for r in rows if not r.startswith("sw-adeyemi,")))
        requests = tomllib.loads((folder / "requests.toml").read_text())["requests"]
        out = []
        for r in requests:
            invite = []
            for inv in r.get("invite", []):
                person = successors[r["case"]] if inv["person"] == "sw-adeyemi" else inv["person"]
                same = next((x for x in invite if x["person"] == person), None)
                if same is not None:
                    same["required"] = same.get("required", True) or inv.get("required", True)
                else:
                    invite.append({**inv, "person": person})
            r["invite"] = invite
            out.append("[[requests]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in r.items()))
        (folder / "requests.toml").write_text("\n".join(out))
    return folder


def ordinary_solve(run, folder: Path, db: Path) -> dict:
    assert run("--db", db, "load", folder).code == 0
    result = run("--db", db, "solve", *SOLVE, "--time-limit", "120", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    return {
        "placed": len(doc["meetings"]),
        "agencies_present": sum(len(m["agencies_present"]) for m in doc["meetings"]),
    }


@pytest.fixture(scope="module")
def original_solve(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The example as it is, solved once for the module (the same for every scenario)."""
    from scheduler.services import partnership as services
    from scheduler.services import scheduling

    db = tmp_path_factory.mktemp("original") / "q.db"
    services.load(db, EXAMPLE, datetime(2026, 3, 1, tzinfo=zone("UTC")))
    job = scheduling.SolveRequest(seed=0, deterministic_limit=2, time_limit_s=120)
    doc = scheduling.solve(db, None, job, now=datetime(2026, 3, 1, tzinfo=zone("UTC")))
    return {
        "placed": len(doc["meetings"]),
        "agencies_present": sum(len(m["agencies_present"]) for m in doc["meetings"]),
    }


# -- the three example scenarios -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", ["police-relief", "sw-late-duty", "caseholder-leaves"])
def test_example_scenario_against_independent_counts(run, tmp_path: Path, original_solve: dict, name: str) -> None:
    assert run("load", EXAMPLE).code == 0
    result = run("whatif", SCENARIOS / f"{name}.toml", *WINDOW, *SOLVE, "--seeds", "1", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    successors = {c["case"]: c["successor"] for leaver in doc["continuity"] for c in leaver["cases"]}
    edited = edited_copy(tmp_path, name, successors)
    before, _ = load_folder(EXAMPLE)
    after, problems = load_folder(edited)
    assert before is not None and after is not None and not problems

    # Overlap: every agency at once, and police with social work, counted in 5-minute steps.
    agencies = [a.id for a in before.agencies]
    overlap = doc["overlap"]
    assert overlap["all_agencies"]["before"] == pytest.approx(hours_by_steps(before, agencies), abs=0.01)
    assert overlap["all_agencies"]["after"] == pytest.approx(hours_by_steps(after, agencies), abs=0.01)
    pair = next(x for x in overlap["pairs"] if x["pair"] == "police+social-work")
    assert pair["before"] == pytest.approx(hours_by_steps(before, ["police", "social-work"]), abs=0.01)
    assert pair["after"] == pytest.approx(hours_by_steps(after, ["police", "social-work"]), abs=0.01)

    # Meetings: the figures of two ordinary solves, the original folder and the edited copy.
    pending = doc["meetings"]["pending"]
    edited_solve = ordinary_solve(run, edited, tmp_path / "edited.db")
    for key in ("placed", "agencies_present"):
        assert pending["before"][key] == original_solve[key]
        assert pending["after"][key] == edited_solve[key]
    if name == "police-relief":
        assert pair["after"] > pair["before"]  # the point of the example (docs/whatif.md)
    if name == "sw-late-duty":
        assert pair["after"] > pair["before"]  # the late duty meets the police lates
    if name == "caseholder-leaves":
        cases = {c["case"] for c in doc["continuity"][0]["cases"]}
        assert cases == {"CP-10482", "CP-10541"}


@pytest.mark.slow
def test_the_same_scenario_twice_gives_the_same_output(run, tmp_path: Path) -> None:
    assert run("load", EXAMPLE).code == 0
    args = ["whatif", SCENARIOS / "sw-late-duty.toml", *WINDOW, "--seeds", "2"]
    first, second = run(*args), run(*args)
    assert first.code == second.code == 0
    assert first.out == second.out and "What if: East district social work" in first.out
    assert run(*args, "--json").out == run(*args, "--json").out


# -- bad scenarios --------------------------------------------------------------------------------

BAD = {
    "unknown team": ('name = "x"\n\n[[teams]]\nid = "pvuu"\noffset = 2\n', 4, "unknown team 'pvuu'", "'pvu'"),
    "pattern that does not parse": (
        'name = "x"\n\n[[weekly]]\nname = "late"\nagency = "social-work"\n'
        'rules = [{ rrule = "FREQ=WEEKLY;BYDAY=XX", shift = "D" }]\n\n[[teams]]\nid = "sw-east"\npattern = "late"\n',
        6,
        "not a valid RRULE",
        None,
    ),
    "cycle with an unknown code": (
        'name = "x"\n\n[[cycles]]\nname = "c"\nagency = "police"\nanchor = 2026-01-05\ndays = "E E Q"\n\n'
        '[[teams]]\nid = "pvu"\npattern = "c"\n',
        7,
        "unknown shift code 'Q'",
        None,
    ),
    "a person leaving twice": (
        'name = "x"\n\n[[leave]]\nid = "sw-adeyemi"\n\n[[leave]]\nid = "sw-adeyemi"\n',
        7,
        "already leaves",
        None,
    ),
    "a change to a person who does not exist": (
        'name = "x"\n\n[[people]]\nid = "sw-adeyemy"\npattern = "sw-part-time"\n',
        4,
        "no person 'sw-adeyemy'",
        "'sw-adeyemi'",
    ),
    "a syntax error": ('name = "x"\n\n[[leave]]\nid = sw-adeyemi\n', 4, "double quotes", None),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_scenario_says_the_line_and_changes_nothing(run, tmp_path: Path, case: str) -> None:
    text, line, words, suggestion = BAD[case]
    assert run("load", EXAMPLE).code == 0
    db = tmp_path / "quorum.db"
    stored = db.read_bytes()
    scenario = tmp_path / "bad.toml"
    scenario.write_text(text)
    result = run("whatif", scenario, "--report", tmp_path / "report")
    assert result.code == 2, result.err
    assert f"{scenario}:{line}:" in result.err and words in result.err
    if suggestion:
        assert f"did you mean {suggestion}" in result.err
    assert "Traceback" not in result.err
    assert db.read_bytes() == stored
    assert not (tmp_path / "report").exists()


def test_a_scenario_that_is_not_there(run, tmp_path: Path) -> None:
    assert run("load", EXAMPLE).code == 0
    result = run("whatif", tmp_path / "missing.toml")
    assert result.code == 2 and "no such file" in result.err


# -- the report -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_report_has_charts_and_case_references_only(run, tmp_path: Path, example_copy: Path) -> None:
    requests = example_copy / "requests.toml"
    text = requests.read_text()
    requests.write_text(text.replace('case = "CP-10482"\n', 'case = "CP-10482"\nnotes = "Smithers family, dog"\n', 1))
    assert run("load", example_copy).code == 0
    out = tmp_path / "board"
    result = run("whatif", SCENARIOS / "caseholder-leaves.toml", *WINDOW, "--seeds", "1", "--report", out)
    assert result.code == 0, result.err
    names = sorted(p.name for p in out.iterdir())
    assert names == ["report.html", "report.md", "whatif-attendance.png", "whatif-heatmaps.png"]
    assert (out / "whatif-heatmaps.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md, html = (out / "report.md").read_text(), (out / "report.html").read_text()
    assert "![" in md and "data:image/png;base64," in html and "CP-10482" in md
    people = tomllib.loads((EXAMPLE / "people.toml").read_text())["people"]
    for page in (md, html):
        assert "Smithers" not in page
        assert not [x["name"] for x in people if x["name"] in page]  # ids, never names
