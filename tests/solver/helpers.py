"""Small partnerships and requests for solver tests, built from real files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rotas import load_folder
from rotas.model import Partnership
from rotas.problems import Problem
from scheduler.solver.request_file import RequestEntry
from scheduler.solver.requests import Request, check_requests
from tests.conftest import BASE_FILES, write_folder

NOW = datetime(2026, 2, 20, tzinfo=UTC)

# Grain of an hour and short meeting hours keep brute force small.
SMALL_PARTNERSHIP = """
    name = "Small partnership"
    [coordinator]
    name = "Co Ordinator"
    email = "coordinator@example.org"
    [settings]
    time_grain_minutes = 60
    meeting_hours = ["09:00", "13:00"]
    max_meetings_per_day = 2
    [[rooms]]
    id = "room"
    name = "The only room"
    capacity = 4
"""

SMALL_PEOPLE = """
    [[people]]
    id = "officer"
    name = "DC One"
    email = "one@example.org"
    team = "unit"
    role = "Police officer"

    [[people]]
    id = "officer2"
    name = "DC Two"
    email = "two@example.org"
    team = "unit"
    role = "Police officer"
    offset = 2

    [[people]]
    id = "worker"
    name = "Sam Worker"
    email = "sam@example.org"
    team = "district"
    role = "Social worker"

    [[people]]
    id = "worker2"
    name = "Kim Worker"
    email = "kim@example.org"
    team = "district"
    role = "Social worker"
"""


def small_partnership(root: Path, extra: dict[str, str] | None = None) -> Partnership:
    files = {"partnership.toml": SMALL_PARTNERSHIP, "people.toml": SMALL_PEOPLE, **(extra or {})}
    p, problems = load_folder(write_folder(root, files))
    assert problems == [], problems
    assert p is not None
    return p


def requests(p: Partnership, *specs: dict) -> list[Request]:
    problems: list[Problem] = []
    out = check_requests([RequestEntry.model_validate(s) for s in specs], p, "requests.toml", problems)
    assert problems == [], problems
    return out


__all__ = ["BASE_FILES", "NOW", "requests", "small_partnership"]
