"""When do agencies and teams ever overlap? The picture of the problem, as numbers.

For each pair of agencies (and of teams) this reports the hours when at least
one member of each is on duty at the same time, and, because agency-wide cover
hides the real trouble, how the *people* pair up: how many officer/social
worker pairs are never on duty together in the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import combinations
from statistics import median

from rotas.availability import availability
from rotas.intervals import Interval, intersect, merge, total
from rotas.model import Partnership


@dataclass(frozen=True, slots=True)
class PairOverlap:
    a: str
    b: str
    hours: float  # when at least one of each is on duty together
    people_pairs: int  # (member of a, member of b) pairs
    pairs_never_together: int
    median_pair_hours: float


@dataclass(frozen=True, slots=True)
class OverlapReport:
    first: date
    days: int
    timezone: str
    agencies: tuple[PairOverlap, ...]
    teams: tuple[PairOverlap, ...]


def _hours(intervals: list[Interval]) -> float:
    return total(intervals).total_seconds() / 3600


def _pair(a: str, b: str, members_a: list[str], members_b: list[str], duty: dict[str, list[Interval]]) -> PairOverlap:
    cover_a = merge(i for p in members_a for i in duty[p])
    cover_b = merge(i for p in members_b for i in duty[p])
    pair_hours = [_hours(intersect(duty[x], duty[y])) for x in members_a for y in members_b if x != y]
    return PairOverlap(
        a=a,
        b=b,
        hours=round(_hours(intersect(cover_a, cover_b)), 2),
        people_pairs=len(pair_hours),
        pairs_never_together=sum(1 for h in pair_hours if h == 0),
        median_pair_hours=round(median(pair_hours), 2) if pair_hours else 0.0,
    )


def overlap(partnership: Partnership, first: date, days: int) -> OverlapReport:
    """Overlap between every pair of agencies and every pair of teams in the range."""
    duty = availability(partnership, first, days)
    by_agency = {a.id: [p.id for p in partnership.people if p.agency == a.id] for a in partnership.agencies}
    by_team = {t.id: [p.id for p in partnership.people if p.team == t.id] for t in partnership.teams}
    return OverlapReport(
        first=first,
        days=days,
        timezone=partnership.timezone,
        agencies=tuple(_pair(a, b, by_agency[a], by_agency[b], duty) for a, b in combinations(by_agency, 2)),
        teams=tuple(_pair(a, b, by_team[a], by_team[b], duty) for a, b in combinations(by_team, 2)),
    )
