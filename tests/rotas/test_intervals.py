"""Interval arithmetic, checked against sets of minutes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rotas.intervals import clip, intersect, merge, subtract, total

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def span(a: int, b: int) -> tuple[datetime, datetime]:
    return T0 + timedelta(minutes=a), T0 + timedelta(minutes=b)


raw = st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)).map(lambda t: span(*t)), max_size=12)


def minutes(intervals) -> set[int]:
    out: set[int] = set()
    for s, e in intervals:
        out |= set(range(int((s - T0).total_seconds() // 60), int((e - T0).total_seconds() // 60)))
    return out


def well_formed(intervals) -> bool:
    return all(s < e for s, e in intervals) and all(a[1] < b[0] for a, b in itertools.pairwise(intervals))


@given(raw)
def test_merge_is_sorted_disjoint_and_covers_the_same(xs) -> None:
    merged = merge(xs)
    assert well_formed(merged)
    assert minutes(merged) == minutes(xs)
    assert total(merged) == timedelta(minutes=len(minutes(xs)))


@given(raw, raw)
def test_subtract_and_intersect_match_sets(xs, ys) -> None:
    a, b = merge(xs), merge(ys)
    assert minutes(subtract(a, b)) == minutes(a) - minutes(b)
    assert minutes(intersect(a, b)) == minutes(a) & minutes(b)
    assert well_formed(subtract(a, b))
    assert well_formed(intersect(a, b))


@given(raw, st.integers(0, 300), st.integers(0, 300))
def test_clip_keeps_only_the_window(xs, lo, hi) -> None:
    lo_t, hi_t = span(lo, hi)
    assert minutes(clip(merge(xs), lo_t, hi_t)) == {m for m in minutes(xs) if lo <= m < hi}
