"""Why a meeting cannot start at the time a coordinator asked for (``quorum move ... --to``): the rule that
failed, not the list of every rule there is.

A start must be on the partnership's time grain, inside its meeting hours (travel included), and have
every required invitee on duty (or allowed to come off duty) and enough people for each role asked for.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from rotas.clock import zone
from rotas.model import Partnership
from scheduler.solver.explain import Words
from scheduler.solver.instance import build_instance
from scheduler.solver.requests import Request
from scheduler.solver.starts import instant, minutes
from scheduler.today import moment_text


def why_not_start(p: Partnership, request: Request, target: datetime, now: datetime) -> str:
    """The first rule ``target`` (an aware local or UTC time) breaks for ``request``, in words."""
    tz = zone(p.timezone)
    local = target.astimezone(tz)
    at = f"{moment_text(local)} is not a possible start for {request.id}"
    grain = p.settings.time_grain_minutes
    if local.minute % grain or local.second or local.microsecond:
        earlier = local - timedelta(minutes=local.minute % grain, seconds=local.second)
        return (
            f"{at}: meetings start on the {grain}-minute grain (e.g. {earlier:%H:%M} or "
            f"{earlier + timedelta(minutes=grain):%H:%M})"
        )
    open_at, close_at = p.settings.meeting_hours
    travel = request.travel
    first = local - timedelta(minutes=travel)
    last = local + timedelta(minutes=request.duration + travel)
    if first.date() != local.date() or first.time() < open_at or last.date() != local.date() or last.time() > close_at:
        with_travel = f" with {travel} min travel either side" if travel else ""
        return (
            f"{at}: it would run {first:%H:%M}-{last:%H:%M}{with_travel}, outside the meeting hours "
            f"{open_at:%H:%M}-{close_at:%H:%M} (partnership.toml, settings.meeting_hours)"
        )
    start_m = minutes(target)
    pinned = dataclasses.replace(
        request, earliest=instant(start_m), latest=instant(start_m + request.duration), within=None, fixed=None
    )
    inst = build_instance(p, [pinned], now, prune=False)
    task = inst.task(request.id)
    if not task.starts:
        return f"{at}: it has passed, or falls outside the dates that can be scheduled"
    words = Words(inst)
    missing = [words.name(person) for person, required in request.invitees if required and not task.can(person, 0)]
    if missing:
        who = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
        verb = "is" if len(missing) == 1 else "are"
        off = "" if request.allow_off_duty else " (and the request does not allow off-duty attendance)"
        return f"{at}: {who} (required) {verb} not on duty then{off}"
    for slot in request.slots:
        able = sum(task.can(c, 0) for c in slot.candidates)
        if able < slot.count:
            return f"{at}: {slot.label} is needed, and only {able} of those people are on duty then"
    return f"{at}: it does not fit the request's rules at that time"
