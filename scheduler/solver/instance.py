"""The scheduling instance as data: candidate start times and who can make each.

Everything the solvers (CP-SAT and greedy) and the explanations need is
computed here once, from the rotas: for each request, the start times on the
grain inside its window and the meeting hours, and for each person who could
attend, at which of those starts they are on duty for the whole meeting plus
travel, or could come off duty (when the request allows it) and at what cost.
Times are whole minutes since the Unix epoch (UTC), so arithmetic across clock
changes is plain integer arithmetic.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property

from rotas.availability import absences_between, duty_from
from rotas.clock import day_span, zone
from rotas.model import Absence, Partnership, Room
from rotas.roster import RosterDay, roster
from scheduler.solver.budget import UNLIMITED, Budget
from scheduler.solver.requests import Request, request_window
from scheduler.solver.starts import candidate_starts, covered_starts, instant, minutes, overlaps

RATE_PLAIN = 1.0
RATE_TIME_AND_A_HALF = 1.5
LOOKAHEAD_DAYS = 28  # how far past a window explanations search for the earliest workable time


@dataclass(frozen=True)
class OffDuty:
    """What asking someone to attend off duty costs: the hours, paid at a rate."""

    hours: float
    rate: float
    rest_day: bool

    @property
    def cost(self) -> float:
        return round(self.hours * self.rate, 2)


@dataclass
class Fixed:
    """A meeting that stays where it is (locked or already sent): its time and who attends."""

    start: int
    attendees: tuple[str, ...]
    room: str | None = None


@dataclass
class Task:
    """One request to place: its candidate starts and each person's availability over them."""

    request: Request
    starts: list[int]  # candidate start minutes, ascending
    on_duty: dict[str, set[int]]  # person -> indexes into starts where on duty throughout
    off_duty: dict[str, dict[int, OffDuty]]  # person -> index -> cost (only if allowed and not absent)
    window: tuple[int, int]  # [earliest start, latest end] in minutes
    fixed: Fixed | None = None
    depends_on: str | None = None  # request id this one must follow, when that one is still to be placed
    follows: str | None = None  # the request it follows in a chain, placed or fixed (for the fair-spread rule)
    # Start index of the task it depends on -> this one's window after that start: (earliest start, latest end).
    deadline_after: dict[int, tuple[int, int]] = field(default_factory=dict)
    continuity: set[str] = field(default_factory=set)  # people who already attended this case

    @property
    def id(self) -> str:
        return self.request.id

    def off_duty_at(self, person: str, k: int) -> OffDuty | None:
        """What attending start ``k`` off duty costs ``person`` (None: on duty then, or not allowed)."""
        return None if k in self.on_duty.get(person, ()) else self.off_duty.get(person, {}).get(k)

    def can(self, person: str, k: int) -> bool:
        return k in self.on_duty.get(person, ()) or k in self.off_duty.get(person, {})

    def able(self, person: str) -> set[int]:
        """The start indexes ``person`` can attend: ``can`` for all of them at once."""
        return self.on_duty.get(person, set()) | self.off_duty.get(person, {}).keys()

    def span(self, k: int) -> tuple[int, int]:
        """The time taken at start index k, travel included."""
        s = self.starts[k]
        return s - self.request.travel, s + self.request.duration + self.request.travel

    def meeting(self, k: int) -> tuple[int, int]:
        s = self.starts[k]
        return s, s + self.request.duration

    def keeping(self, keep: list[int]) -> Task:
        """A copy with only the starts at indexes ``keep`` (ascending), everyone's availability renumbered."""
        remap = {old: new for new, old in enumerate(keep)}
        return replace(
            self,
            starts=[self.starts[k] for k in keep],
            on_duty={p: {remap[k] for k in ks if k in remap} for p, ks in self.on_duty.items()},
            off_duty={p: {remap[k]: c for k, c in ks.items() if k in remap} for p, ks in self.off_duty.items()},
        )


@dataclass
class Instance:
    """All tasks, plus what explanations need about people's days."""

    partnership: Partnership
    tasks: list[Task]
    now: datetime
    first: date
    days: int
    duty: dict[str, list[tuple[int, int]]]  # person -> merged on-duty minutes
    absences: dict[str, list[Absence]]
    rosters: dict[str, list[RosterDay]]
    max_per_day: int
    grain: int

    @cached_property
    def agency_of(self) -> dict[str, str]:
        """Person -> agency: asked for every attendee each time a schedule is scored."""
        return {x.id: x.agency for x in self.partnership.people}

    def task(self, request_id: str) -> Task:
        return next(t for t in self.tasks if t.id == request_id)

    def local_day(self, start: int) -> date:
        """The local date of a moment (epoch minutes); remembered, as the search asks millions of times."""
        day = self._days.get(start)
        if day is None:
            day = self._days[start] = instant(start).astimezone(zone(self.partnership.timezone)).date()
        return day

    @cached_property
    def _days(self) -> dict[int, date]:
        return {}

    def roster_day(self, person: str, day: date) -> RosterDay | None:
        days = self.rosters[person] if person in self.rosters else self._read([person]).rosters[person]
        index = (day - self.first).days + 1  # rosters start a day early
        return days[index] if 0 <= index < len(days) else None

    def duty_of(self, person: str) -> list[tuple[int, int]]:
        """Someone's on-duty minutes over the horizon (read now for someone no request names: a colleague)."""
        return self.duty[person] if person in self.duty else self._read([person]).duty[person]

    def away_of(self, person: str) -> list[tuple[int, int]]:
        """Someone's absences (leave, court, busy calendar...) over the horizon, in minutes."""
        if person not in self.duty:
            self._read([person])
        return [(minutes(a.start), minutes(a.end)) for a in self.absences.get(person, ())]

    def _read(self, people: list[str]) -> Instance:
        """Read rosters, absences and duty for ``people`` over the horizon, once each (kept on the instance)."""
        tz = zone(self.partnership.timezone)
        lo, hi = day_span(self.first, self.days, tz)
        rosters = roster(self.partnership, self.first - timedelta(days=1), self.days + 1, people)
        away = absences_between(self.partnership, lo, hi, people)
        for person, spans in duty_from(rosters, away, lo, hi).items():
            self.duty[person] = [(minutes(s), minutes(e)) for s, e in spans]
        self.rosters.update(rosters)
        for person in people:
            self.absences.setdefault(person, away.get(person, []))
        return self

    @cached_property
    def notice_days(self) -> int:
        return self.partnership.settings.rest_day_notice_days

    @cached_property
    def hub_travel(self) -> dict[str, int]:
        return hub_travel(self.partnership)


def build_instance(
    p: Partnership,
    requests: list[Request],
    now: datetime,
    fixed: dict[str, Fixed] | None = None,
    history: dict[str, set[str]] | None = None,
    first: date | None = None,
    days: int | None = None,
    prune: bool = True,
    budget: Budget = UNLIMITED,
) -> Instance:
    """The instance for ``requests``; ``fixed`` meetings keep their start, ``history`` is case -> attendees.

    ``first``/``days`` limit the horizon (local days); by default it spans every window. Stops with
    ``OutOfTime`` when ``budget`` runs out.
    """
    fixed = fixed or {}
    history = history or {}
    tz = zone(p.timezone)
    by_id = {r.id: r for r in requests}

    # Windows, dependent requests after the ones they depend on.
    windows: dict[str, tuple[datetime, datetime] | None] = {}

    def window_of(r: Request, trail: tuple[str, ...] = ()) -> tuple[datetime, datetime] | None:
        if r.id in windows:
            return windows[r.id]
        ref = r.within.of_request if r.within else None
        if ref is None:
            w = request_window(r, p)
        elif ref in fixed:
            start = instant(fixed[ref].start)
            w = request_window(r, p, start, start + timedelta(minutes=by_id[ref].duration) if ref in by_id else start)
        elif ref in by_id and ref not in trail:
            base = window_of(by_id[ref], (*trail, r.id))
            if base is None:
                w = None
            else:
                # Widest possible window: from the earliest the reference could end to its latest deadline.
                lo = request_window(r, p, base[0], base[0] + timedelta(minutes=by_id[ref].duration))
                hi = request_window(r, p, base[1], base[1])
                w = (lo[0], hi[1]) if lo and hi else None
        else:
            w = None
        windows[r.id] = w
        return w

    for r in requests:
        window_of(r)
    spans = [w for w in windows.values() if w] + [(instant(f.start), instant(f.start)) for f in fixed.values()]
    if first is None:
        first = min((w[0] for w in spans), default=now).astimezone(tz).date()
    if days is None:
        last = max((w[1] for w in spans), default=now).astimezone(tz).date()
        days = (last - first).days + 1 + LOOKAHEAD_DAYS
    lo_h, hi_h = day_span(first, days, tz)

    people = sorted({x for r in requests for x in r.people()} | {x for f in fixed.values() for x in f.attendees})
    inst = Instance(
        p,
        [],
        now,
        first,
        days,
        {},
        {},
        {},
        p.settings.max_meetings_per_day,
        p.settings.time_grain_minutes,
    )
    inst._read(people)  # rosters and absences (busy calendars included) read once, duty worked out from them

    for i, r in enumerate(requests):
        budget.check("working out each request's possible times", i, len(requests))
        w = windows[r.id]
        f = fixed.get(r.id)
        if f is not None:
            starts = [f.start]
            window = (f.start, f.start + r.duration)
        elif r.fixed is not None:
            # A time fixed in the request itself: the only start, whoever can come (attendance still solved);
            # none if it has passed.
            window = (minutes(r.fixed), minutes(r.fixed) + r.duration)
            starts = [window[0]] if window[0] >= minutes(now) else []
        elif w is None:
            starts, window = [], (minutes(lo_h), minutes(lo_h))
        else:
            # Nothing is placed before now (a meeting placed in the past would be sent as an invite).
            lo, hi = max(w[0], lo_h, now), min(w[1], hi_h)
            starts = candidate_starts(p, lo, hi, r.duration, r.travel) if hi > lo else []
            window = (minutes(w[0]), minutes(w[1]))
        task = make_task(inst, r, starts, window, f)
        task.follows = r.within.of_request if r.within else None
        task.depends_on = task.follows if task.follows not in fixed else None
        task.continuity = set(history.get(r.case, set()))
        inst.tasks.append(task)
    if prune:
        _prune(inst, budget)
    _link_dependencies(inst, budget)
    return inst


def make_task(inst: Instance, r: Request, starts: list[int], window: tuple[int, int], f: Fixed | None = None) -> Task:
    """A task for ``r`` at ``starts``: who is on duty throughout each (travel included), and who could come
    off duty at what cost, from what the instance has read (the one place availability is worked out)."""
    task = Task(r, starts, {}, {}, window, f)
    for person in sorted(r.people()):  # sorted: a set's order changes from run to run
        # At the hub each person's own travel there counts (none for a co-located team's people).
        travel = inst.hub_travel.get(person, r.travel) if r.at_hub else r.travel
        ok = covered_starts(inst.duty_of(person), starts, travel, r.duration + travel)
        off: dict[int, OffDuty] = {}
        if r.allow_off_duty:
            away = inst.away_of(person)
            for k, s in enumerate(starts):
                lo_s, hi_s = s - travel, s + r.duration + travel
                if k not in ok and not overlaps(away, lo_s, hi_s):
                    off[k] = off_duty_cost(inst, person, s, hi_s - lo_s, inst.notice_days)
        if f is not None and person in f.attendees:
            ok.add(0)  # a fixed meeting's attendees stay, whatever has changed since
        task.on_duty[person] = ok
        if off:
            task.off_duty[person] = off
    return task


def widened(inst: Instance, r: Request, lo: int, hi: int) -> Task:
    """``r`` over [lo, hi) on its own, every start kept (not only those its required people can make): what
    explanations look at, worked out from the instance's own reading of the rotas, not read again."""
    span_lo, span_hi = day_span(inst.first, inst.days, zone(inst.partnership.timezone))
    a, b = max(instant(lo), span_lo), min(instant(hi), span_hi)
    starts = candidate_starts(inst.partnership, a, b, r.duration, r.travel) if b > a else []
    return make_task(inst, r, starts, (lo, hi))


def hub_travel(p: Partnership) -> dict[str, int]:
    """Person -> minutes each way to a meeting at the hub, for the people whose team says (its hub_travel)."""
    teams = {t.id: t.hub_travel for t in p.teams if t.hub_travel is not None}
    return {x.id: teams[x.team] for x in p.people if x.team in teams}


def _link_dependencies(inst: Instance, budget: Budget = UNLIMITED) -> None:
    """For a request within N working days of another: its allowed span for each start of the other."""
    tasks = {t.id: t for t in inst.tasks}
    for i, t in enumerate(inst.tasks):
        budget.check("linking follow-up meetings to the meetings they follow", i, len(inst.tasks))
        if t.depends_on is None:
            continue
        ref = tasks.get(t.depends_on)
        if ref is None:
            t.starts, t.on_duty, t.off_duty = [], {}, {}
            continue
        for k, s in enumerate(ref.starts):
            w = request_window(t.request, inst.partnership, instant(s), instant(s + ref.request.duration))
            t.deadline_after[k] = (minutes(w[0]), minutes(w[1])) if w else (0, 0)


def off_duty_cost(inst: Instance, person: str, start: int, span: int, notice_days: int) -> OffDuty:
    day = inst.local_day(start)
    rd = inst.roster_day(person, day)
    rest_day = rd is not None and rd.status in {"rest", "off", "bank_holiday", "outside_term"}
    short_notice = (day - inst.now.astimezone(zone(inst.partnership.timezone)).date()).days < notice_days
    rate = RATE_TIME_AND_A_HALF if rest_day and short_notice else RATE_PLAIN
    return OffDuty(round(span / 60, 2), rate, rest_day)


def room_options(p: Partnership, task: Task) -> list[Room] | None:
    """The hub rooms a request may use, in the partnership's order (None: it needs none)."""
    r = task.request
    if not ((r.at_hub and p.rooms) or r.room):
        return None
    return [x for x in p.rooms if (r.room is None or x.id == r.room) and x.capacity >= r.headcount()]


def room_set(p: Partnership, task: Task) -> frozenset[str] | None:
    """The rooms a meeting may use, as a set (None: it needs none; a fixed meeting, only the room it has)."""
    options = room_options(p, task)
    if options is None:
        return None
    if task.fixed is not None:
        return frozenset({task.fixed.room}) if task.fixed.room else None
    return frozenset(x.id for x in options)


def workable_starts(task: Task) -> list[int]:
    """Start indexes at which every required invitee and every slot (to its count) can attend.

    As sets of start indexes (each person's on-duty and off-duty starts), not start by start.
    """
    if task.fixed is not None:
        return list(range(len(task.starts)))
    r = task.request
    out = set(range(len(task.starts)))
    for person, required in r.invitees:
        if required:
            out &= task.able(person)
    for slot in r.slots:
        if not out:
            break
        counts: Counter[int] = Counter()
        for c in slot.candidates:
            counts.update(task.able(c) & out)
        out = {k for k in out if counts[k] >= slot.count}
    return sorted(out)


def _prune(inst: Instance, budget: Budget = UNLIMITED) -> None:
    """Drop starts that some required invitee or slot cannot make (explanations rebuild the full picture)."""
    for i, task in enumerate(inst.tasks):
        budget.check("setting aside times a required invitee cannot make", i, len(inst.tasks))
        keep = workable_starts(task)
        if len(keep) == len(task.starts):
            continue
        kept = task.keeping(keep)
        task.starts, task.on_duty, task.off_duty = kept.starts, kept.on_duty, kept.off_duty
