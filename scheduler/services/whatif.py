"""What if the rota changed? The partnership as it is and as a scenario would make it, side by side.

Read-only: the stored partnership and requests are read, the scenario applied in memory
(``rotas.scenario``), and nothing is written to the database. The two sides differ only by the scenario:
the same period, requests, ``now``, seeds and deterministic work limit (docs/whatif.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rotas.intervals import Interval
from rotas.model import Partnership
from rotas.scenario import Scenario, load_scenario
from scheduler import today as clock
from scheduler.errors import UserError
from scheduler.services import whatif_meetings as mt
from scheduler.services import whatif_rota as rota
from scheduler.services.partnership import check_range
from scheduler.services.scheduling import SolveRequest
from scheduler.solver.request_file import stored_entries
from scheduler.store.database import Store

DEFAULT_DAYS = 28
DEFAULT_WORK_LIMIT = 2.0
DEFAULT_TIME_LIMIT = 60.0
CANDIDATES = 3  # people suggested to take over each case of a leaver
CLOCK_CUT = 0.95  # a solve that used this share of its time limit may have been stopped by the clock


@dataclass(frozen=True)
class WhatIfJob:
    scenario: Path
    first: date | None = None
    days: int = DEFAULT_DAYS
    seed: int = 0
    seeds: int = 2
    work_limit: float = DEFAULT_WORK_LIMIT
    time_limit_s: float = DEFAULT_TIME_LIMIT
    fortnight: date | None = None  # the Monday the typical fortnight starts; by default the latest one


Progress = Callable[[int, int, str], None]  # (steps done, steps in all, what is being done)


def read_scenario(db_path: Path, pid: str | None, path: Path) -> tuple[Partnership, Scenario]:
    """The stored partnership and the scenario checked against it; a UserError (exit 2) listing every
    problem, each with its line, if the scenario has any."""
    with Store.open(db_path) as store:
        p = store.partnership(pid)
    scenario, problems = load_scenario(path, p)
    if scenario is None:
        raise UserError(
            f"{path} has {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing was compared",
            [str(x) for x in problems],
        )
    return p, scenario


def compare(
    db_path: Path, pid: str | None, job: WhatIfJob, now: datetime | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """The comparison as one JSON-ready document (docs/whatif.md describes every key)."""
    started = time.monotonic()
    deadline = started + job.time_limit_s
    check_range(job.days)
    if not 1 <= job.seeds <= 5:
        raise UserError(f"--seeds takes 1 to 5 (got {job.seeds})")
    # The start of today, not this minute: two runs on the same day compare the same requests over the same
    # starts (one a minute later could lose a start that had just passed).
    now = now or datetime.combine(clock.today(), datetime.min.time(), UTC)
    before, scenario = read_scenario(db_path, pid, job.scenario)
    with Store.open(db_path) as store:
        rows = store.requests(before.id)
        meetings = store.meetings(before.id)
    after = scenario.apply(before)
    first = job.first or clock.today()
    seeds = [job.seed + n for n in range(job.seeds)]
    sets = {
        "pending": mt.pending(before, rows, meetings, now),
        "typical": mt.typical(before, rows, meetings, first, first, job.fortnight),
    }
    total = 3 + sum(2 * len(seeds) for s in sets.values() if s["specs"])
    done = [0]

    def step(what: str) -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total, what)

    if progress is not None:
        progress(0, total, "working out who is on duty")
    _, members_b = rota.duty_by_agency(before, first, job.days)
    duty_a, members_a = rota.duty_by_agency(after, first, job.days)
    overlap = _overlap(before, after, first, job.days, members_b, members_a)
    step("overlap worked out")
    standing = {
        "before": rota.standing_times(before, first, job.days),
        "after": rota.standing_times(after, first, job.days),
    }
    step("standing times worked out")
    continuity, successors = _continuity(before, after, scenario, rows, meetings, duty_a)
    step("continuity worked out")

    solve_job = SolveRequest(strategy="cpsat", deterministic_limit=job.work_limit)

    def solves_left() -> int:
        return max(1, total - done[0])

    compared = {}
    for key, chosen in sets.items():
        compared[key] = _meetings(
            before, after, chosen, successors, now, solve_job, seeds, step, deadline, solves_left, key
        )
    notes = []
    cut = sum(x.get("clock_cut", 0) for x in compared.values())
    if cut:
        notes.append(
            f"the time limit stopped {cut} solve(s) before their work limit: those figures may differ between "
            "runs; give a longer --time-limit or a smaller --work-limit"
        )
    return {
        "partnership": before.id,
        "scenario": {
            "name": scenario.name,
            "description": scenario.description,
            "file": scenario.source,
            "changes": scenario.summary(),
        },
        "period": {
            "from": first.isoformat(),
            "days": job.days,
            "to": (first + timedelta(days=job.days - 1)).isoformat(),
        },
        "solving": {"seeds": seeds, "work_limit": job.work_limit, "now": now.isoformat()},
        "overlap": overlap,
        "meetings": compared,
        "continuity": continuity,
        "standing": standing,
        "notes": notes,
    }


def _overlap(
    before: Partnership,
    after: Partnership,
    first: date,
    days: int,
    members_b: dict[str, list[list[Interval]]],
    members_a: dict[str, list[list[Interval]]],
) -> dict[str, Any]:
    b = rota.overlap_figures(before, first, days, members_b)
    a = rota.overlap_figures(after, first, days, members_a)
    return {
        "all_agencies": {
            "before": b["all_agencies"],
            "after": a["all_agencies"],
            "difference": round(a["all_agencies"] - b["all_agencies"], 2),
        },
        "pairs": [
            {"pair": k, "before": v, "after": a["pairs"][k], "difference": round(a["pairs"][k] - v, 2)}
            for k, v in b["pairs"].items()
        ],
        "week": {
            "weekdays": list(rota.WEEKDAYS),
            "hours": list(range(24)),
            "agencies": len(before.agencies),
            "before": rota.week_picture(before, first, days, members_b),
            "after": rota.week_picture(after, first, days, members_a),
        },
    }


def _continuity(
    before: Partnership,
    after: Partnership,
    scenario: Scenario,
    rows: list[dict[str, Any]],
    meetings: dict[str, dict[str, Any]],
    duty_after: dict[str, list[Interval]],
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], str | None]]:
    """For each leaver, the cases that lose them and who could take each over; and the successor chosen
    for each (leaver, case): the scenario's, else the first candidate."""
    leaving = set(scenario.leavers)
    people = {x.id: x for x in before.people}
    out: list[dict[str, Any]] = []
    successors: dict[tuple[str, str], str | None] = {}
    for leaver in scenario.leavers:
        cases: dict[str, dict[str, set[str]]] = {}
        stored = stored_entries(rows)
        for rid, entry in stored.items():
            named = [inv.person for inv in entry.invite]
            attended = [a["person"] for a in ((meetings.get(rid) or {}).get("attendees") or [])]
            if leaver in named or leaver in attended:
                cases.setdefault(entry.case, {"requests": set(), "others": set()})["requests"].add(rid)
        for rid, entry in stored.items():
            if entry.case in cases:
                invited = {inv.person for inv in entry.invite}
                there = {a["person"] for a in ((meetings.get(rid) or {}).get("attendees") or [])}
                cases[entry.case]["others"] |= (invited | there) - leaving
        entries = []
        for case, found in sorted(cases.items()):
            others = sorted(x for x in found["others"] if any(y.id == x for y in after.people))
            me = people[leaver]
            candidates = rota.handover_candidates(after, me.agency, me.role, others, duty_after, CANDIDATES)
            chosen = scenario.successors.get(leaver) or (candidates[0]["person"] if candidates else None)
            successors[(leaver, case)] = chosen
            entries.append(
                {
                    "case": case,
                    "requests": sorted(found["requests"]),
                    "other_workers": others,
                    "candidates": candidates,
                    "successor": chosen,
                    "successor_named": scenario.successors.get(leaver) is not None,
                }
            )
        out.append({"person": leaver, "team": people[leaver].team, "cases": entries})
    return out, successors


def _meetings(
    before: Partnership,
    after: Partnership,
    chosen: dict[str, Any],
    successors: dict[tuple[str, str], str | None],
    now: datetime,
    job: SolveRequest,
    seeds: list[int],
    step: Callable[[str], None],
    deadline: float,
    solves_left: Callable[[], int],
    key: str,
) -> dict[str, Any]:
    specs = chosen["specs"]
    result: dict[str, Any] = {"note": chosen["note"], "requests": len(specs)}
    if not specs:
        return result
    mine = {leaver for leaver, _ in successors}
    after_specs = [mt.with_successors(s, {x: successors.get((x, s.case)) for x in mine}) if mine else s for s in specs]
    requests_b, problems_b = mt.resolved(before, specs)
    requests_a, problems_a = mt.resolved(after, after_specs)
    if problems_b:
        raise UserError("some requests do not fit the partnership as it is: fix them first", problems_b)
    label = "pending requests" if key == "pending" else "typical fortnight"
    docs_b = mt.solve_side(
        before, requests_b, now, job, seeds, lambda: step(f"{label}: as it is"), deadline, solves_left
    )
    docs_a = mt.solve_side(
        after, requests_a, now, job, seeds, lambda: step(f"{label}: with the scenario"), deadline, solves_left
    )
    fig_b, fig_a = mt.figures(docs_b[0], requests_b, before), mt.figures(docs_a[0], requests_a, after)
    variation = {}
    for name, get in (
        ("placed", lambda d: len(d["meetings"])),
        ("agencies_present", lambda d: sum(len(m["agencies_present"]) for m in d["meetings"])),
    ):
        b, a = mt.spread(docs_b, get), mt.spread(docs_a, get)
        variation[name] = {"before": b, "after": a, "within_variation": mt.within_variation(b, a)}
    result.update(
        {
            "before": fig_b,
            "after": fig_a,
            "variation": variation,
            "changes": mt.changes(docs_b[0], docs_a[0]),
            "not_askable": problems_a,  # requests that make no sense with the scenario (e.g. nobody left to ask)
            "clock_cut": sum(d["wall_time_s"] >= CLOCK_CUT * d["time_limit_s"] for d in [*docs_b, *docs_a]),
        }
    )
    return result
