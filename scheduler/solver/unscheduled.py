"""Why a request could not be placed, and the smallest change that would let it be.

For each unscheduled request: the people or slots that can never meet inside its window, the earliest
time they could, and concrete ways out (someone off duty at a cost, a colleague from the same team).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

from rotas.model import Absence
from scheduler.advice import Step
from scheduler.solver.explain import ABSENCE_WORDS, Unscheduled, Words, off_duty_detail
from scheduler.solver.greedy import Diary
from scheduler.solver.instance import LOOKAHEAD_DAYS, Instance, Task, off_duty_cost, widened
from scheduler.solver.starts import instant, minutes

# (label, person or None for a slot, the start indexes at which it can attend)
Entity = tuple[str, str | None, set[int]]


def _entities(task: Task, words: Words) -> list[Entity]:
    """(label, person or None, starts at which it can attend) for each required invitee and slot."""
    r = task.request
    out: list[Entity] = []
    for person, required in r.invitees:
        if required:
            out.append((f"{words.name(person)} (required)", person, task.able(person)))
    for slot in r.slots:
        counts: Counter[int] = Counter()
        for c in slot.candidates:
            counts.update(task.able(c))
        out.append((f"{slot.label} (required)", None, {k for k, n in counts.items() if n >= slot.count}))
    return out


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _unpruned(inst: Instance, task: Task, lo: int, hi: int) -> Task:
    """The request over [lo, hi) with every start, from what the instance has read (no rota read again)."""
    r = dataclasses.replace(task.request, earliest=instant(lo), latest=instant(hi), within=None, fixed=None)
    return widened(inst, r, lo, hi)


def explain_unscheduled(inst: Instance, diary: Diary, task: Task, words: Words) -> Unscheduled:
    r = task.request
    rid = r.id
    if task.depends_on is not None and task.depends_on not in diary.placements:
        return Unscheduled(
            rid,
            "dependency",
            f"it must follow {task.depends_on}, which is not scheduled",
            [
                f"place {task.depends_on} first (see why it is not placed)",
                Step(f"or give {rid} its own dates", "edit_request", rid, ("earliest", "latest")),
            ],
        )
    lo, hi = task.window
    now = minutes(inst.now)
    if hi <= lo:
        return Unscheduled(rid, "outside_horizon", "its window is outside the dates being scheduled")
    if task.depends_on is not None:
        dep = diary.placements[task.depends_on]
        lo, hi = task.deadline_after[dep.k]
    if hi <= now or (task.request.fixed is not None and lo < now):
        return Unscheduled(
            rid,
            "past",
            f"its {'fixed time' if task.request.fixed is not None else 'window'} ({words.day(lo)} to "
            f"{words.day(hi - 1)}) has passed: today is {words.day(now)}",
            [
                Step("give it new dates", "edit_request", rid, ("earliest", "latest")),
                Step("or remove it", "remove_request", rid),
            ],
        )
    lo = max(lo, now)
    full = _unpruned(inst, task, lo, hi)
    entities = _entities(full, words)
    first_day, last_day = words.day(lo), words.day(hi - 1)
    # "before Sat 12 Dec" read as the days up to it, for a window that is only that Saturday.
    span = f"on {last_day}" if first_day == last_day else f"from {first_day} to {last_day}"
    blocking = None
    for size in range(1, len(entities) + 1):
        for combo in combinations(entities, size):
            if not set.intersection(*(e[2] for e in combo)):
                blocking = list(combo)
                break
        if blocking:
            break
    if blocking is None:
        return _blocked_by_diary(inst, diary, full, words)

    labels = [e[0] for e in blocking]
    verb = "is" if len(labels) == 1 else ("are both" if len(labels) == 2 else "are all")
    detail = f"no time {span} when {_and(labels)} {verb} on duty"
    suggestions: list[str | Step] = []
    later = _unpruned(inst, task, hi, hi + LOOKAHEAD_DAYS * 24 * 60)
    common = set.intersection(*(e[2] for e in _entities(later, words))) if later.starts else set()
    if common:
        first = later.starts[min(common)]
        detail += f"; the earliest is {words.when(first)}"
        deadline = ("within",) if task.request.within is not None and task.request.latest is None else ("latest",)
        suggestions.append(
            Step(
                f"move the deadline: the earliest time everyone required can attend is {words.when(first)}",
                "edit_request",
                rid,
                deadline,
                instant(first).astimezone(words.tz).date().isoformat() if deadline == ("latest",) else None,
            )
        )
    else:
        detail += f"; nor in the {LOOKAHEAD_DAYS} days after"
    for _label, person, _ in blocking:
        if person is not None:
            suggestions.append(f"{words.name(person)}: {week_summary(inst, words, person, lo, hi)}")
    for _label, person, _ in blocking:
        if person is None:
            continue
        suggestions += _off_duty_options(inst, diary, full, entities, person, words, r.allow_off_duty)
        suggestions += _team_mates(inst, diary, full, entities, person, words)
    return Unscheduled(rid, "no_common_time", detail, suggestions)


def _local_days(a: Absence, tz: ZoneInfo) -> tuple[date, date]:
    return a.start.astimezone(tz).date(), (a.end - timedelta(seconds=1)).astimezone(tz).date()


def week_summary(inst: Instance, words: Words, person: str, lo: int, hi: int) -> str:
    """What someone is doing day by day over a window, runs of equal days joined: the rota at a glance."""
    first, last = inst.local_day(lo), inst.local_day(hi - 1)
    runs: list[tuple[date, date, str]] = []
    day = first
    while day <= last:
        away = [
            a
            for a in inst.absences.get(person, ())
            if _local_days(a, words.tz)[0] <= day <= _local_days(a, words.tz)[1]
        ]
        rd = inst.roster_day(person, day)
        if away and (
            rd is None
            or not rd.intervals
            or all(
                minutes(a.start) <= minutes(s) and minutes(a.end) >= minutes(e) for s, e in rd.intervals for a in away
            )
        ):
            text = ABSENCE_WORDS.get(away[0].kind, away[0].kind)
        elif rd is None:
            text = "no rota"
        elif rd.intervals:
            times = ", ".join(f"{words.clock(s)}-{words.clock(e)}" for s, e in rd.intervals)
            text = f"{rd.label.lower()} {times}" + (" (part of it away)" if away else "")
        else:
            text = {"off": "not working", "bank_holiday": "bank holiday", "outside_term": "outside term"}.get(
                rd.status, rd.label.lower()
            )
        if runs and runs[-1][2] == text:
            runs[-1] = (runs[-1][0], day, text)
        else:
            runs.append((day, day, text))
        day += timedelta(days=1)
    return "; ".join(f"{words.date(a)}{'' if a == b else '-' + words.date(b)}: {text}" for a, b, text in runs)


def _others_ok(full: Task, entities: list[Entity], person: str) -> set[int]:
    others = [e[2] for e in entities if e[1] != person]
    return set.intersection(*others) if others else set(range(len(full.starts)))


def _holds(diary: Diary, task: Task, k: int, instead_of: str) -> bool:
    """Start ``k`` works against the schedule for everyone but ``instead_of`` (whom a suggestion replaces).

    A suggestion is printed beside a schedule, so it must hold against it: the other required people and
    enough slot candidates free (no clash, travel or daily limit), and a room if one is needed.
    """
    r = task.request
    if any(required and p != instead_of and not diary.free(p, task, k) for p, required in r.invitees):
        return False
    for slot in r.slots:
        if sum(c != instead_of and diary.free(c, task, k) for c in slot.candidates) < slot.count:
            return False
    return diary.room_for(task, k) is not False


def _off_duty_options(
    inst: Instance, diary: Diary, full: Task, entities: list[Entity], person: str, words: Words, allowed: bool
) -> list[str | Step]:
    notice = inst.partnership.settings.rest_day_notice_days
    for k in sorted(_others_ok(full, entities, person)):
        if not _holds(diary, full, k, person) or diary.conflict(person, full, k) is not None:
            continue
        lo, hi = full.span(k)
        reason, _ = off_duty_detail(inst, words, person, lo, hi)
        if reason == "absence":
            continue
        off = off_duty_cost(inst, person, full.starts[k], hi - lo, notice)
        text = f"{words.name(person)} could attend off duty on {words.when(full.starts[k])} ({words.cost(off)})"
        if allowed:
            return [text]
        return [
            Step(f"if off-duty attendance were allowed, {text}", "edit_request", full.request.id, ("allow_off_duty",))
        ]
    return []


def _team_mates(
    inst: Instance, diary: Diary, full: Task, entities: list[Entity], person: str, words: Words
) -> list[str | Step]:
    team = words.people[person].team
    invited = {p for p, _ in full.request.invitees}
    mates = [x.id for x in inst.partnership.people if x.team == team and x.id not in invited]
    if not mates:
        return []
    wide = _unpruned_with(inst, full, mates)
    ok = _others_ok(full, entities, person)
    for mate in mates:
        can = sorted(
            k
            for k in ok
            if wide.can(mate, k) and _holds(diary, full, k, person) and diary.conflict(mate, wide, k) is None
        )
        if can:
            team_name = inst.partnership.team(team).name
            return [f"{words.name(mate)} ({team_name}, same team) can attend on {words.when(full.starts[can[0]])}"]
    return []


def _unpruned_with(inst: Instance, full: Task, people: list[str]) -> Task:
    from scheduler.solver.requests import Slot

    extra = Slot("colleagues", tuple(people), 1)
    r = dataclasses.replace(full.request, slots=(*full.request.slots, extra))
    lo, hi = full.window
    r = dataclasses.replace(r, earliest=instant(lo), latest=instant(hi), within=None, fixed=None)
    return widened(inst, r, lo, hi)


def _blocked_by_diary(inst: Instance, diary: Diary, full: Task, words: Words) -> Unscheduled:
    """Everyone required could meet, but every such time is taken: say by what."""
    rid = full.request.id
    workable = (
        set.intersection(*(e[2] for e in _entities(full, words)))
        if full.request.invitees or full.request.slots
        else set()
    )
    kinds: dict[str, set[str]] = {}  # what blocks each start, and the meetings involved
    alone: set[str] = set()  # blockers that are the only obstacle at some start
    for k in sorted(workable):
        here: set[str] = set()
        for person, required in full.request.invitees:
            if not required:
                continue
            conflict = diary.conflict(person, full, k)
            if conflict is not None:
                here.add(conflict[0])
                kinds.setdefault(conflict[0], set()).add(conflict[1] or words.name(person))
        if diary.room_for(full, k) is False:
            here.add("room")
            kinds.setdefault("room", set()).add("")
        if len(here) == 1:
            alone |= here
    # Report the obstacle that alone stands in the way somewhere (a free hour lost to the daily
    # limit says more than the hours that clash); otherwise the clashes.
    if "daily_limit" in alone:
        kinds = {"daily_limit": kinds["daily_limit"]}
    elif "room" in alone:
        kinds = {"room": kinds["room"]}
    if "clash" in kinds or "travel" in kinds:
        others = sorted((kinds.get("clash", set()) | kinds.get("travel", set())) - {""})
        moves: list[str | Step] = [Step(f"move or unlock {o}", "move_meeting", o) for o in others[:3]]
        return Unscheduled(
            rid,
            "clash",
            "every time everyone required is on duty clashes with other meetings (" + ", ".join(others) + ")",
            [*moves, _widen(rid)],
        )
    if "daily_limit" in kinds:
        return Unscheduled(
            rid,
            "daily_limit",
            f"everyone required is on duty only on days when someone required already has {inst.max_per_day} meetings",
            [_widen(rid)],
        )
    if "room" in kinds:
        return Unscheduled(
            rid,
            "room",
            "no hub room big enough is free when everyone required is on duty",
            [Step("make it virtual", "edit_request", rid, ("venue",), "virtual"), _widen(rid)],
        )
    return Unscheduled(
        rid,
        "not_placed",
        "placing it would displace meetings worth more",
        [Step("place it yourself at a time you choose", "place_meeting", rid)],
    )


def _widen(rid: str) -> Step:
    return Step("widen the window", "edit_request", rid, ("earliest", "latest"))
