"""Scenario files: what they change in a partnership (a pure function), co-location in the solve, the
typical fortnight's replay."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from rotas import load_folder
from rotas.scenario import load_scenario
from scheduler.services import whatif_meetings as mt
from scheduler.services.scheduling import SolveRequest, plan
from scheduler.services.whatif_meetings import resolved, shifted
from scheduler.solver.request_file import RequestEntry, entry_json
from tests.conftest import EXAMPLE


def scenario(tmp_path: Path, text: str, folder: Path = EXAMPLE):
    p, problems = load_folder(folder)
    assert p is not None and not problems
    path = tmp_path / "s.toml"
    path.write_text(text)
    s, problems = load_scenario(path, p)
    return p, s, problems


def test_apply_changes_only_what_the_scenario_says(tmp_path: Path) -> None:
    p, s, problems = scenario(
        tmp_path,
        """
name = "Many changes"
[[teams]]
id = "pvu"
offset = 4
[[people]]
id = "sw-osei"
pattern = "sw-part-time"
[[people]]
id = "sw-shaw"
team = "sw-west"
[[join]]
id = "sw-new"
name = "New post"
team = "sw-south"
role = "Social worker"
[[leave]]
id = "sw-adeyemi"
[[rooms]]
id = "hub-room-3"
name = "Room 3"
capacity = 8
""",
    )
    assert not problems, problems
    after = s.apply(p)
    assert after.team("pvu").offset == 4 and after.team("pvu").pattern == p.team("pvu").pattern
    assert after.person("sw-osei").pattern == "sw-part-time"
    assert after.person("sw-shaw").team == "sw-west"
    new = after.person("sw-new")
    assert (new.agency, new.team, new.role) == ("social-work", "sw-south", "Social worker")
    assert "sw-adeyemi" not in {x.id for x in after.people}
    assert not [a for a in after.absences if a.person == "sw-adeyemi"]
    assert len(after.absences) == len(p.absences) - 1
    assert [r.id for r in after.rooms] == ["hub-room-1", "hub-room-2", "hub-room-3"]
    assert len(after.people) == len(p.people)  # one left, one joined
    # The partnership itself is untouched (frozen data; apply makes a new one).
    assert p.team("pvu").offset == 0 and "sw-adeyemi" in {x.id for x in p.people}


def test_more_mistakes_each_with_its_line(tmp_path: Path) -> None:
    _, s, problems = scenario(
        tmp_path,
        """name = "x"

[[people]]
id = "sw-osei"
team = "pvu"

[[join]]
id = "dc-patel"
name = "Twin"
team = "pvu"
role = "Police officer"

[[leave]]
id = "sw-lam"
successor = "dc-patel"

[[teams]]
id = "sw-east"
""",
    )
    assert s is None
    said = {p.line: p.message for p in problems}
    assert "team 'pvu' is in 'police', not 'social-work'" in said[5]
    assert "already someone's id" in said[8]
    assert "cases stay in their agency" in said[15]
    assert "give what changes" in said[17]


COLOCATION_FILES = {
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
        hub_travel = 30
    """,
    "requests.toml": """
        [[requests]]
        id = "cg-1"
        kind = "core-group"
        case = "CP-1001"
        fixed = 2026-03-03T09:00
        earliest = 2026-03-03
        invite = [{ person = "worker" }]
    """,
}


def test_co_location_changes_the_solve(tmp_path: Path, folder) -> None:
    """A 09:00 core group at the hub: the district team, 30 minutes away and in from 09:00, cannot make it;
    co-located (hub_travel = 0), it can."""
    root = folder(COLOCATION_FILES)
    p, s, problems = scenario(tmp_path, 'name = "co-located"\n[[teams]]\nid = "district"\nhub_travel = 0\n', root)
    assert not problems, problems
    after = s.apply(p)
    assert after.team("district").hub_travel == 0 and p.team("district").hub_travel == 30
    spec = RequestEntry.model_validate(
        {
            "id": "cg-1",
            "kind": "core-group",
            "case": "CP-1001",
            "fixed": "2026-03-03T09:00:00",
            "earliest": "2026-03-03",
            "invite": [{"person": "worker"}],
        }
    )
    now = datetime(2026, 3, 1, tzinfo=UTC)
    placed = []
    for q in (p, after):
        requests, why = resolved(q, [spec])
        assert not why
        doc = plan(q, requests, {}, now, SolveRequest(strategy="greedy"))
        placed.append([m["request"] for m in doc["meetings"] if m["attendees"]])
    assert placed == [[], ["cg-1"]]


def test_a_request_moved_by_whole_weeks_keeps_its_weekday_and_time() -> None:
    spec = RequestEntry.model_validate(
        {
            "id": "x",
            "kind": "joint-visit",
            "case": "CP-1",
            "earliest": "2026-03-23",
            "latest": "2026-03-25T17:00:00",
            "within": {"of_date": "2026-03-20", "working_days": 2},
            "invite": [{"person": "a"}],
        }
    )
    moved = entry_json(shifted(spec, 3))
    assert moved["earliest"] == "2026-04-13" and moved["latest"] == "2026-04-15T17:00:00"
    assert moved["within"] == {"of_date": "2026-04-10", "working_days": 2}
    assert date.fromisoformat(moved["earliest"]).weekday() == date(2026, 3, 23).weekday()


def test_the_typical_fortnight_is_the_latest_before_this_week(example_copy: Path) -> None:
    from scheduler.services import partnership as services
    from scheduler.store.database import Store

    db = example_copy / "q.db"
    services.load(db, example_copy, datetime(2026, 3, 1, tzinfo=UTC))
    with Store.open(db) as store:
        p = store.partnership()
        rows, meetings = store.requests(p.id), store.meetings(p.id)
    chosen = mt.typical(p, rows, meetings, today=date(2026, 4, 15), replay_from=date(2026, 4, 15))
    assert chosen["from"] == "2026-03-23" and chosen["replayed_from"] == "2026-04-20"  # 4 weeks on, a Monday
    assert len(chosen["specs"]) == 25 and "replayed 4 weeks later" in chosen["note"]
    by_id = {s.id: s for s in chosen["specs"]}
    assert by_id["sd-10482"].earliest == date(2026, 4, 20)
    nothing = mt.typical(p, rows, meetings, today=date(2026, 3, 23), replay_from=date(2026, 3, 23))
    assert nothing["specs"] == [] and "no requests" in nothing["note"]
    pending = mt.pending(p, rows, meetings, datetime(2026, 4, 15, tzinfo=UTC))
    assert pending["specs"] == []  # all wholly past by then
