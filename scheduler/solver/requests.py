"""Meetings and joint visits to arrange: a requests.toml entry checked against the partnership.

A request is validated the same way whether it comes from requests.toml, the
CLI or the UI: its spec (the TOML entry as a dict) goes through
``RequestEntry`` and then ``resolve`` against the partnership. The database
stores the spec, so one code path rebuilds every request.

Case references are checked against the partnership's pattern (by default two
to four capital letters, a hyphen and digits: ``CP-10482``): a code, never a
child's or family's name, because the reference travels in calendar invites.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rotas.bankholidays import add_working_days
from rotas.clock import missing_hour, to_utc, zone
from rotas.model import Agency, Partnership, Team, default_settings
from rotas.problems import Problem, key_path, key_words
from rotas.sane import SlowPattern, did_you_mean, fullmatch, shown
from scheduler.solver.request_file import HUB, PRESETS, VIRTUAL, RequestEntry, SlotEntry, Urgency

# -- the resolved request ------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    label: str
    candidates: tuple[str, ...]
    count: int = 1
    prefer: tuple[str, ...] = ()


@dataclass(frozen=True)
class Within:
    working_days: int | None
    days: int | None
    of_date: date | None
    of_request: str | None


@dataclass(frozen=True)
class Request:
    """A request checked against the partnership, with presets applied and times in UTC."""

    id: str
    kind: str
    label: str
    case: str
    urgency: Urgency
    duration: int  # minutes
    invitees: tuple[tuple[str, bool], ...]  # (person id, required)
    slots: tuple[Slot, ...]
    earliest: datetime | None  # UTC; None: from the reference date of ``within``
    latest: datetime | None  # UTC: the meeting must end by this
    within: Within | None
    venue: str
    travel: int  # minutes before and after
    room: str | None
    allow_off_duty: bool
    fixed: datetime | None  # UTC
    notes: str
    entry: RequestEntry  # as given (file, form or command line), typed: what the store keeps

    @property
    def virtual(self) -> bool:
        return self.venue.lower() == VIRTUAL

    @property
    def at_hub(self) -> bool:
        return self.venue.lower() == HUB

    def people(self) -> set[str]:
        return {p for p, _ in self.invitees} | {c for s in self.slots for c in s.candidates}

    def headcount(self) -> int:
        return len(self.invitees) + sum(s.count for s in self.slots)


def _local(value: date | datetime, tz: ZoneInfo, *, end: bool) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(zone("UTC"))
        return to_utc(value.date(), value.time(), tz)
    return to_utc(value + timedelta(days=1) if end else value, time(0), tz)


def request_window(
    r: Request, p: Partnership, ref_start: datetime | None = None, ref_end: datetime | None = None
) -> tuple[datetime, datetime] | None:
    """[earliest start, latest end] in UTC; for ``within`` another request, given that meeting's time.

    The one place a window is worked out, from the resolved request (never from its stored keys): the
    instance, the deadlines, a past window's warning and the what-if all ask it. It is not kept on the
    request, because a request is often copied with other dates (a move, an explanation's wider window).
    """
    tz = zone(p.timezone)
    lo, hi = r.earliest, r.latest
    if r.within is not None:
        if r.within.of_date is not None:
            ref_day, ref_lo = r.within.of_date, to_utc(r.within.of_date, time(0), tz)
        elif ref_start is not None and ref_end is not None:
            ref_day, ref_lo = ref_start.astimezone(tz).date(), ref_end
        else:
            return None
        if r.within.working_days is not None:
            last = add_working_days(ref_day, r.within.working_days, p.bank_holidays, p.extra_bank_holidays)
        else:
            last = ref_day + timedelta(days=r.within.days or 0)
        deadline = to_utc(last + timedelta(days=1), time(0), tz)
        lo = max(lo, ref_lo) if lo else ref_lo
        hi = min(hi, deadline) if hi else deadline
    if lo is None or hi is None:
        return None
    return lo, hi


DEFAULT_CASE_PATTERN = default_settings().case_reference_pattern  # stated once, on partnership.toml's model


def case_problem(case: str, p: Partnership) -> str | None:
    """Why ``case`` is not a case reference of this partnership (None if it is)."""
    pattern = p.settings.case_reference_pattern
    try:
        if fullmatch(pattern, case):
            return None
    except SlowPattern:
        return (
            f"checking {shown(case)} against the case_reference_pattern took too long: simplify the pattern "
            "in partnership.toml"
        )
    if pattern == DEFAULT_CASE_PATTERN:
        rule = "two to four capital letters, a hyphen, then three to eight digits, such as CP-10482"
    else:  # the partnership's own pattern: shown as written, for whoever wrote it
        rule = f"it must match the partnership's case_reference_pattern {pattern}"
    return f"{shown(case)} is not a case reference ({rule}); never put a child's or family's name here"


Report = Callable[[str, str], None]  # (key within the entry, message): a problem named by its key


def resolve(entry: RequestEntry, p: Partnership, rel: str, where: str, problems: list[Problem]) -> Request | None:
    """The entry checked against the partnership; None (with problems) if it cannot be used.

    One function per family of checks, each reporting problems by the key they are about (the form shows
    each beside its field): who is invited, the slots, the kind's required agencies, venue and room, the
    window, a fixed time.
    """
    before = len(problems)
    preset = PRESETS[entry.kind]

    def problem(key: str, message: str) -> None:
        problems.append(Problem(rel, message, key=f"{where}.{key}"))

    case_error = case_problem(entry.case, p)
    if case_error:
        problem("case", case_error)
    invitees = _invitees(entry, p, problem)
    slots = _slots(entry, p, {x for x, _ in invitees}, problem)
    slots += _required_agencies(preset.required_kinds, p, invitees, slots)
    if not invitees and not slots and not entry.invite and not entry.slots:  # not when those given have problems
        problem("invite", "invite at least one person or role slot")
    venue, travel = _venue_and_room(
        entry, p, preset.venue, preset.travel, len(invitees) + sum(s.count for s in slots), problem
    )
    duration = entry.duration or preset.duration
    earliest, latest, within = _window(entry, p, duration, preset.deadline_working_days, problem)
    fixed = _fixed(entry, p, problem)
    if len(problems) > before:
        return None
    return Request(
        id=entry.id,
        kind=entry.kind,
        label=preset.label,
        case=entry.case,
        urgency=entry.urgency or preset.urgency,
        duration=duration,
        invitees=tuple(invitees),
        slots=tuple(slots),
        earliest=earliest,
        latest=latest,
        within=within,
        venue=venue,
        travel=travel,
        room=entry.room,
        allow_off_duty=entry.allow_off_duty,
        fixed=fixed,
        notes=entry.notes,
        entry=entry,
    )


def _invitees(entry: RequestEntry, p: Partnership, problem: Report) -> list[tuple[str, bool]]:
    """Named invitees who exist, each once."""
    people = {x.id for x in p.people}
    out: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for i, inv in enumerate(entry.invite):
        if inv.person not in people:
            problem(
                f"invite[{i}].person",
                f"unknown person {shown(inv.person)} (use an id from people.toml{did_you_mean(inv.person, people)})",
            )
        elif inv.person in seen:
            problem(f"invite[{i}].person", f"{inv.person!r} is invited twice")
        else:
            seen.add(inv.person)
            out.append((inv.person, inv.required))
    return out


def _slots(entry: RequestEntry, p: Partnership, invited: set[str], problem: Report) -> list[Slot]:
    """Role slots whose team, agency and preferred people exist, with enough people matching (none invited)."""
    people = {x.id for x in p.people}
    teams = {t.id: t for t in p.teams}
    agencies = {a.id: a for a in p.agencies}
    out: list[Slot] = []
    for i, s in enumerate(entry.slots):
        bad = False
        if s.team is not None and s.team not in teams:
            problem(f"slots[{i}].team", f"unknown team {s.team!r} (teams: {', '.join(teams)})")
            bad = True
        if s.agency is not None and s.agency not in agencies:
            problem(f"slots[{i}].agency", f"unknown agency {s.agency!r} (agencies: {', '.join(agencies)})")
            bad = True
        for j, who in enumerate(s.prefer):
            if who not in people:
                problem(f"slots[{i}].prefer[{j}]", f"unknown person {shown(who)}{did_you_mean(who, people)}")
                bad = True
        if bad:
            continue
        candidates = tuple(
            x.id
            for x in p.people
            if (s.team is None or x.team == s.team)
            and (s.agency is None or x.agency == s.agency)
            and (s.role is None or x.role.lower() == s.role.lower())
            and x.id not in invited
        )
        if len(candidates) < s.count:
            problem(f"slots[{i}]", f"only {len(candidates)} people match this slot, which needs {s.count}")
            continue
        out.append(Slot(s.label or _slot_label(s, teams, agencies), candidates, s.count, tuple(s.prefer)))
    return out


def _required_agencies(
    kinds: tuple[str, ...], p: Partnership, invitees: list[tuple[str, bool]], slots: list[Slot]
) -> list[Slot]:
    """A slot for each agency the kind requires that no required invitee or slot already covers."""
    agency_of = {x.id: x.agency for x in p.people}
    invited = {x for x, _ in invitees}
    out: list[Slot] = []
    for kind in kinds:
        covering = [a for a in p.agencies if a.kind == kind]
        if not covering:
            continue
        ids = {a.id for a in covering}
        named = any(req and agency_of[pid] in ids for pid, req in invitees)
        slotted = any(all(agency_of[c] in ids for c in s.candidates) for s in slots)
        if not (named or slotted):
            candidates = tuple(x.id for x in p.people if x.agency in ids and x.id not in invited)
            if candidates:
                out.append(Slot(f"one from {covering[0].name}", candidates))
    return out


def _venue_and_room(
    entry: RequestEntry, p: Partnership, default_venue: str, default_travel: int, headcount: int, problem: Report
) -> tuple[str, int]:
    """(venue, travel minutes), and the room checked: it exists, is at the hub, and holds everyone."""
    venue = entry.venue or default_venue
    travel = 0 if venue.lower() == VIRTUAL else (entry.travel if entry.travel is not None else default_travel)
    if entry.room is not None:
        room = next((r for r in p.rooms if r.id == entry.room), None)
        if room is None:
            problem(
                "room",
                f"unknown room {entry.room!r} (partnership.toml lists "
                f"{', '.join(r.id for r in p.rooms) or 'no rooms'})",
            )
        elif venue.lower() != HUB:
            problem("room", f"a room is only for meetings at the hub (venue is {venue!r})")
        elif room.capacity < headcount:
            problem("room", f"room {room.id!r} holds {room.capacity}, fewer than the {headcount} people invited")
    return venue, travel


def _window(
    entry: RequestEntry, p: Partnership, duration: int, deadline_days: int | None, problem: Report
) -> tuple[datetime | None, datetime | None, Within | None]:
    """(earliest, latest, within): dates in UTC, and the kind's deadline where only earliest is given."""
    tz = zone(p.timezone)
    earliest = _local(entry.earliest, tz, end=False) if entry.earliest is not None else None
    latest = _local(entry.latest, tz, end=True) if entry.latest is not None else None
    within = None
    if entry.within is not None:
        w = entry.within
        working = w.working_days
        if working is None and w.days is None:
            working = deadline_days
            if working is None:
                problem("within", "give working_days or days (this kind has no default deadline)")
        within = Within(working, w.days, w.of_date, w.of_request)
    elif latest is None and entry.earliest is not None and deadline_days is not None:
        # The kind's deadline rule counts from the earliest date.
        start_day = entry.earliest if not isinstance(entry.earliest, datetime) else entry.earliest.date()
        within = Within(deadline_days, None, start_day, None)
    if earliest is None and within is None:
        problem("earliest", "give earliest (and latest), or within")
    if earliest is not None and latest is not None:
        if latest <= earliest:
            problem("latest", "the window ends before it starts")
        elif latest - earliest < timedelta(minutes=duration):
            problem("duration", f"{duration} minutes does not fit in the window")
    return earliest, latest, within


def _fixed(entry: RequestEntry, p: Partnership, problem: Report) -> datetime | None:
    """A fixed start in UTC: a date and time, not in the hour the clocks skip, on the time grain."""
    if entry.fixed is None:
        return None
    tz = zone(p.timezone)
    if not isinstance(entry.fixed, datetime):
        problem("fixed", "give a date and time, e.g. 2026-03-24T10:00")
        return None
    skipped = missing_hour(entry.fixed, tz)
    if skipped:
        problem("fixed", str(skipped))  # not moved silently to when the clocks change
        return None
    fixed = _local(entry.fixed, tz, end=False)
    grain = p.settings.time_grain_minutes
    local = fixed.astimezone(tz)
    if local.minute % grain or local.second:
        problem("fixed", f"the fixed time is not on the {grain}-minute grain")
    return fixed


def _slot_label(s: SlotEntry, teams: dict[str, Team], agencies: dict[str, Agency]) -> str:
    if s.team:
        base = teams[s.team].name
    elif s.agency:
        base = agencies[s.agency].name
    else:
        base = ""
    role = s.role or ""
    who = f"{role} from {base}" if role and base else (role or base)
    return f"{s.count} x {who}" if s.count > 1 else f"one {who}" if role else f"one from {who}"


def check_requests(
    entries: Sequence[RequestEntry | None], p: Partnership, rel: str, problems: list[Problem]
) -> list[Request]:
    """Resolve every entry; also duplicate ids, references between requests and cycles among them."""
    out: list[Request] = []
    index: dict[str, int] = {}
    for i, entry in enumerate(entries):
        if entry is None:
            continue
        if entry.id in index:
            problems.append(
                Problem(
                    rel,
                    f"request {entry.id!r} is already defined at {key_words(f'requests[{index[entry.id]}]')}",
                    key=key_path("requests", i, "id"),
                )
            )
            continue
        index[entry.id] = i
    for i, entry in enumerate(entries):
        if entry is None:
            continue
        if entry.within and entry.within.of_request:
            ref = entry.within.of_request
            if ref == entry.id or ref not in index:
                problems.append(
                    Problem(
                        rel,
                        f"unknown request {ref!r}" if ref != entry.id else "a request cannot be within days of itself",
                        key=key_path("requests", i, "within", "of_request"),
                    )
                )
                continue
        req = resolve(entry, p, rel, key_path("requests", i), problems)
        if req is not None:
            out.append(req)
    # Cycles: a -> b -> a can never be scheduled.
    after = {e.id: e.within.of_request for e in entries if e and e.within and e.within.of_request}
    walked: set[str] = set()  # each request is walked from once: linear, and each cycle reported once
    for start in after:
        path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in walked and node not in path:
            path[node] = len(path)
            node = after.get(node)
        walked.update(path)
        if node is not None and node in path:  # this walk closed a cycle of its own
            ring = list(path)[path[node] :]
            shown_ring = ring if len(ring) <= 6 else [*ring[:3], f"... ({len(ring) - 5} more) ...", *ring[-2:]]
            problems.append(
                Problem(
                    rel,
                    "requests wait on each other in a cycle: " + " -> ".join([*shown_ring, node]),
                    key=key_path("requests", index[node], "within", "of_request"),
                )
            )
    return out
