"""A work-limited solve is the same schedule whatever the clock, the load or the process.

``quorum solve --work-limit`` bounds every stage by CP-SAT's deterministic work (the clock only a safety
stop): two runs of the real command on copies of one database, with different time limits and different
string-hash seeds (so no set's order can leak into the model), give the same meetings, attendees, rooms and
reasons, and say the clock did not cut in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from scheduler.paths import example_folder
from scheduler.synthetic.generate import Surge, generate

QUORUM = [sys.executable, "-m", "scheduler"]


def _solve(db: Path, time_limit: str, hash_seed: str) -> dict:
    env = os.environ | {"PYTHONHASHSEED": hash_seed, "QUORUM_TODAY": "2026-02-20"}
    done = subprocess.run(
        [*QUORUM, "--db", str(db), "solve", "--json", "--seed", "3", "--work-limit", "1.5", "--time-limit", time_limit],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _schedule(doc: dict) -> list:
    return [
        (
            m["request"],
            m["start"],
            m["room"],
            sorted((a["person"], a["role"]) for a in m["attendees"]),
            sorted((a["person"], a["reason"], a["detail"]) for a in m["absent"]),
        )
        for m in doc["meetings"]
    ] + [(u["request"], u["reason"]) for u in doc["unscheduled"]]


@pytest.mark.slow
def test_the_same_work_limit_gives_the_same_schedule_under_any_time_limit(tmp_path: Path) -> None:
    folder = tmp_path / "surge"
    # Contended (greedy places 43 of the 47 the limit allows), so every stage runs: aim, neighbourhoods, fill.
    shape = Surge(relief="staggered", horizon_days=14, window=(1, 3), hub_units=1, optional_rate=0.3)
    generate(folder, 120, 50, 28, 2, date(2026, 3, 2), example_folder(), "contended", shape)
    first = tmp_path / "first.db"
    env = os.environ | {"QUORUM_TODAY": "2026-02-20"}
    loaded = subprocess.run(
        [*QUORUM, "--db", str(first), "load", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    second = tmp_path / "second.db"
    shutil.copyfile(first, second)
    one = _solve(first, "60", "1")
    two = _solve(second, "240", "2")
    assert one["work_limit"] == two["work_limit"] == 1.5
    assert not one["clock_stopped"] and not two["clock_stopped"]
    assert one["objective"] == two["objective"]
    assert _schedule(one) == _schedule(two)
    assert len(one["meetings"]) > 43  # beyond greedy's: the search ran, not only the full model
