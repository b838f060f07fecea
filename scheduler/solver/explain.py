"""Why someone is missing from a placed meeting, and where else it could go: the words a coordinator reads.

This is what no scheduling assistant gives a coordinator: for each absentee a reason (on nights, rest day,
on leave, at another meeting, travelling, daily limit) and the alternatives. Unscheduled requests are
explained in ``solver.unscheduled`` with the same words.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date as Day
from datetime import datetime, timedelta

from rotas.clock import zone
from scheduler.advice import Step
from scheduler.solver.greedy import Diary, assign
from scheduler.solver.instance import RATE_TIME_AND_A_HALF, Instance, OffDuty, widened, workable_starts
from scheduler.solver.objective import Placement, placement_value
from scheduler.solver.requests import request_window
from scheduler.solver.starts import instant, minutes
from scheduler.today import day_text

ABSENCE_WORDS = {
    "leave": "on leave",
    "training": "on a training course",
    "court": "at court",
    "sickness": "off sick",
    "busy": "busy in their calendar",
    "other": "away",
}


@dataclass(frozen=True)
class Absent:
    person: str
    role: str
    reason: str  # off_duty | absence | clash | travel | daily_limit | settled | not_added
    detail: str


@dataclass(frozen=True)
class Alternative:
    start: int
    end: int
    attendees: int
    agencies_present: tuple[str, ...]
    value: int


@dataclass
class Unscheduled:
    request: str
    reason: str  # no_common_time | clash | daily_limit | room | dependency | outside_horizon | not_placed
    # | past (its window or fixed time is before today) | not_explained (the time limit ran out first)
    detail: str
    # What would help: words, or a Step (scheduler.advice) that the CLI says as a command, the UI as keys.
    suggestions: list[str | Step] = field(default_factory=list)


class Words:
    """Local times and names, the way a coordinator reads them."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.tz = zone(inst.partnership.timezone)
        self.people = {x.id: x for x in inst.partnership.people}

    def when(self, m: int) -> str:
        local = instant(m).astimezone(self.tz)
        return f"{self.date(local.date())} {local:%H:%M}"

    def day(self, m: int) -> str:
        return self.date(instant(m).astimezone(self.tz).date())

    def date(self, d: Day) -> str:
        return day_text(d, padded=False)

    def clock(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime("%H:%M")

    def name(self, person: str) -> str:
        return self.people[person].name

    def cost(self, off: OffDuty) -> str:
        why = "rest day" if off.rest_day else "outside their shift"
        if off.rate >= RATE_TIME_AND_A_HALF:
            notice = self.inst.partnership.settings.rest_day_notice_days
            return f"{why}: {off.hours:g} h at time and a half, under {notice} days' notice"
        return f"{why}: {off.hours:g} h"


def off_duty_detail(inst: Instance, words: Words, person: str, lo: int, hi: int) -> tuple[str, str]:
    """(reason, detail) for someone not available for [lo, hi): an absence, or what their rota says."""
    for a in inst.absences.get(person, ()):
        if minutes(a.start) < hi and minutes(a.end) > lo:
            return "absence", ABSENCE_WORDS.get(a.kind, a.kind)
    day = inst.local_day(lo)
    candidates = [inst.roster_day(person, day - timedelta(days=1)), inst.roster_day(person, day)]
    # A shift that overlaps the time explains it best (e.g. last night's night shift, this afternoon's late).
    for rd in candidates:
        if rd is None:
            continue
        for s, e in rd.intervals:
            if minutes(s) < hi and minutes(e) > lo:
                return "off_duty", f"on duty only {words.clock(s)}-{words.clock(e)} ({rd.label.lower()})"
    rd = candidates[1]
    if rd is None:
        return "off_duty", "off duty"
    if rd.status == "duty":
        times = ", ".join(f"{words.clock(s)}-{words.clock(e)}" for s, e in rd.intervals)
        label = rd.label.lower()
        return "off_duty", f"on nights ({times})" if "night" in label else f"on {label} ({times})"
    words_for = {
        "rest": rd.label.lower(),
        "off": "not a working day",
        "bank_holiday": "bank holiday",
        "outside_term": "outside term time",
        "no_pattern": "no rota",
    }
    return "off_duty", words_for.get(rd.status, rd.label.lower())


def absent_reasons(inst: Instance, diary: Diary, pl: Placement, words: Words) -> list[Absent]:
    """A true reason for every invitee who is not at a placed meeting, and none made up.

    Off duty only when their rota (with absences and busy calendars) does not cover the meeting and its
    travel; a clash or travel names the meeting in the way; the daily limit when they are at it. Someone
    on duty and free is never said to be off duty: at a locked or sent meeting the reason is that it was
    settled without them; elsewhere (the last pass brings in everyone who can come, so this is rare) the
    words say plainly that nothing stopped them.
    """
    present = {a.person for a in pl.attendees}
    out = []
    t = pl.task
    lo, hi = t.span(pl.k)
    for person, required in t.request.invitees:
        if person in present:
            continue
        role = "required" if required else "optional"
        covered = any(s <= lo and hi <= e for s, e in inst.duty.get(person, ()))
        could = covered or (t.fixed is None and pl.k in t.off_duty.get(person, {}))
        conflict = diary.conflict(person, t, pl.k)
        if not could:
            reason, detail = off_duty_detail(inst, words, person, lo, hi)
        elif conflict is not None:
            kind, other = conflict
            if kind == "daily_limit":
                reason, detail = kind, f"already at {inst.max_per_day} meetings that day"
            else:
                o = diary.placements[other]
                what = f"{o.task.request.label.lower()} {other}, {words.when(o.start)}"
                reason, detail = kind, (f"at {what}" if kind == "clash" else f"travelling for {what}")
        elif t.fixed is not None:
            reason, detail = "settled", "the meeting was locked or sent without them"
        elif not covered:
            _, rota = off_duty_detail(inst, words, person, lo, hi)
            reason, detail = "off_duty", f"{rota}; could be asked to come in, at a cost"
        else:
            reason, detail = "not_added", "on duty and free then; no rule kept them away, but they were not added"
        out.append(Absent(person, role, reason, detail))
    return out


def alternatives(inst: Instance, diary: Diary, pl: Placement, count: int) -> list[Alternative]:
    """The next best starts for a placed meeting, everything else where it is.

    A locked or sent meeting has only its own start in the instance, so its alternatives come
    from its request's window as if it were free: what a coordinator may move it to.
    """
    if count <= 0:
        return []
    task = pl.task
    if task.fixed is not None or task.request.fixed is not None:
        free = dataclasses.replace(task.request, fixed=None)
        if free.within is not None and free.within.of_request is not None:
            return []  # its window depends on another meeting: move that one, or give a time with --to
        window = request_window(free, inst.partnership)
        if window is None:
            return []
        wide = widened(inst, free, max(minutes(window[0]), minutes(inst.now)), minutes(window[1]))
        task = wide.keeping(workable_starts(wide))
    agency = inst.agency_of
    diary.remove(pl.task.id)
    found = []
    try:
        for k in range(len(task.starts)):
            if task.starts[k] == pl.start:
                continue
            other = assign(diary, task, k)
            if other is not None:
                found.append((placement_value(inst, other).total, k, other))
    finally:
        diary.add(pl)
    found.sort(key=lambda item: (-item[0], item[1]))
    out = []
    for value, k, other in found[:count]:
        s, e = task.meeting(k)
        present = tuple(sorted({agency[a.person] for a in other.attendees}))
        out.append(Alternative(s, e, len(other.attendees), present, value))
    return out
