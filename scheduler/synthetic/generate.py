"""Synthetic partnerships for tests and benchmarks, shaped like the bundled example.

Two profiles, each drawn from one seeded random generator (a seed always gives the same folder):

- ``standard``: the example's agencies, shift codes, patterns, terms and rooms; staff scaled with the
  example's mix (police 30%, social work 40%, health 14%, youth 10%, third sector 6%) in teams of five
  to eight, police units staggered across the cycle; a hub's mix of requests over the whole period
  (strategy discussions with the conferences and core groups that follow them, joint visits,
  professionals' meetings, reviews). Many of its requests cannot be placed by any schedule and few
  compete, so greedy is often already optimal: a test of scale, not of the solver.
- ``contended``: a surge. Strategy discussions and joint visits over 8 working days, all drawing on a
  few hub police units (each a whole team on its own relief of a 6-on-4-off cycle), caseholding social
  workers with about four cases each (a quarter part-time, some on a nine-day fortnight), one
  safeguarding-nurse team for every strategy discussion, two officers on a third of the joint visits,
  one hub room (two from 400 staff) for the strategy discussions held there, and the kinds' default
  deadlines (the next working day; two for a joint visit). Meetings compete for the same people and
  rooms, so the order they are placed in matters: the case for placing them together.

The contended profile has the variations real partnerships have (``Surge``), each with a default that
gives the surge above: hub officers on one relief per unit or **staggered** (each officer on their own
offset of the cycle, so the unit covers every day and no two officers are interchangeable), a rate of
individual leave and training days on real duty days among the hub officers, caseholders and nurses,
the horizon the surge spreads over (up to 28 days) and the windows' length in working days. Each
variation draws on its own random generator, so the default surge is the same folder it always was.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rotas.bankholidays import add_working_days

PROFILES = ("standard", "contended")
SURGE_WORKING_DAYS = 8
RELIEFS = ("team", "staggered")
MAX_HORIZON_DAYS = 28
MAX_WINDOW_WORKING_DAYS = 10


@dataclass(frozen=True)
class Surge:
    """How the contended profile's surge is shaped (the defaults: the surge as it always was).

    - ``relief``: ``team``, each hub unit works as one relief (its officers interchangeable); ``staggered``,
      each hub officer on their own offset of the unit's 6-on-4-off cycle, spread so the unit covers every day.
    - ``leave_rate``: the share of each hub officer's, caseholder's and nurse's duty days in the horizon lost
      to leave or a training course (whole days), on top of the partnership's usual leave.
    - ``horizon_days``: the calendar days from the first day that the surge's requests spread over (their
      working days); None: the first 8 working days.
    - ``window``: (fewest, most) working days in a request's window, each request drawn between them; None:
      the kinds' own deadlines (the next working day for a strategy discussion, two for a joint visit).
    """

    relief: str = "team"
    leave_rate: float = 0.0
    horizon_days: int | None = None
    window: tuple[int, int] | None = None
    hub_units: int | None = None  # police units serving the hub (None: 2 at 200 staff, 4 at 500)
    optional_rate: float = 0.0  # the share of requests that also invite, optional, an officer who knows the family

    def __post_init__(self) -> None:
        if self.relief not in RELIEFS:
            raise ValueError(f"unknown relief {self.relief!r} (use {' or '.join(RELIEFS)})")
        if not 0.0 <= self.leave_rate <= 0.9:
            raise ValueError("the leave rate is a share of duty days between 0 and 0.9")
        if self.horizon_days is not None and not 1 <= self.horizon_days <= MAX_HORIZON_DAYS:
            raise ValueError(f"the horizon is 1 to {MAX_HORIZON_DAYS} days")
        if not 0.0 <= self.optional_rate <= 1.0:
            raise ValueError("the share of requests with an optional officer is between 0 and 1")
        if self.hub_units is not None and not 1 <= self.hub_units <= 20:
            raise ValueError("the hub has 1 to 20 police units")
        if self.window is not None:
            lo, hi = self.window
            if not 1 <= lo <= hi <= MAX_WINDOW_WORKING_DAYS:
                raise ValueError(f"a window is 1 to {MAX_WINDOW_WORKING_DAYS} working days, the fewer first")

    def describe(self) -> str:
        parts = [f"{self.relief} reliefs"]
        if self.hub_units:
            parts.append(f"{self.hub_units} hub unit{'s' if self.hub_units > 1 else ''}")
        if self.leave_rate:
            parts.append(f"leave on {self.leave_rate:.0%} of duty days")
        parts.append(
            f"over {self.horizon_days} days" if self.horizon_days else f"over {SURGE_WORKING_DAYS} working days"
        )
        if self.optional_rate:
            parts.append(f"an optional officer on {self.optional_rate:.0%} of requests")
        if self.window:
            lo, hi = self.window
            parts.append(f"windows of {lo} to {hi} working days" if lo != hi else f"windows of {lo} working days")
        return ", ".join(parts)


MIX = (("police", 0.30), ("social-work", 0.40), ("health", 0.14), ("youth", 0.10), ("third-sector", 0.06))
TEAM_PATTERNS = {
    "police": ("police-6-on-4-off", "police-vsa-5-week"),
    "social-work": ("sw-office",),
    "health": ("health-hospital-long-days", "health-office", "health-school-nursing"),
    "youth": ("youth-evenings",),
    "third-sector": ("third-sector-office", "third-sector-part-time"),
}
CYCLE_DAYS = {"police-6-on-4-off": 10, "police-vsa-5-week": 35, "health-hospital-long-days": 14}
ROLES = {
    "police": "Police officer",
    "social-work": "Social worker",
    "health": "Health practitioner",
    "youth": "Youth worker",
    "third-sector": "Family support worker",
}
FIRST = [
    "Alex",
    "Sam",
    "Jordan",
    "Priya",
    "Tomasz",
    "Aisha",
    "Kieran",
    "Mei",
    "Olu",
    "Rosa",
    "Dev",
    "Hana",
    "Luca",
    "Nia",
    "Omar",
    "Freya",
    "Ravi",
    "Zofia",
    "Ewan",
    "Yasmin",
]
LAST = [
    "Ashworth",
    "Begum",
    "Carter",
    "Dobson",
    "Evans",
    "Fenwick",
    "Gill",
    "Holt",
    "Iqbal",
    "Jarvis",
    "Khan",
    "Lowe",
    "Moss",
    "Nolan",
    "Oakes",
    "Parr",
    "Quinn",
    "Rowe",
    "Sykes",
    "Todd",
]


Team = tuple[str, str, str, str, int]  # id, name, agency, pattern, offset


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(
    folder: Path,
    staff: int,
    requests: int,
    days: int,
    seed: int,
    first: date,
    example: Path,
    profile: str = "standard",
    surge: Surge | None = None,
) -> Path:
    """Write a partnership folder with ``staff`` people and ``requests`` requests over ``days`` days.

    The contended profile's requests fall in the surge's horizon from ``first`` (``Surge``; by default the
    first 8 working days) whatever ``days`` is.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}")
    contended = profile == "contended"
    surge = surge or Surge()
    units = surge.hub_units or hub_units(staff)
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("partnership.toml", "agencies.toml", "patterns.toml"):
        shutil.copyfile(example / name, folder / name)
    text = (folder / "partnership.toml").read_text()
    (folder / "partnership.toml").write_text(
        text.replace('id = "leeds-example"', f'id = "generated-{staff}-{requests}-{seed}"').replace(
            "Leeds Safeguarding Partnership (example)", f"Generated partnership ({staff} staff, seed {seed})"
        )
    )
    if contended:
        _keep_rooms(folder / "partnership.toml", 2 if staff >= 400 else 1)

    teams: list[Team] = []
    # id, name, email, team, role, own offset, own pattern
    people: list[tuple[str, str, str, str, str, int | None, str | None]] = []
    members: dict[str, list[str]] = {}
    counts = [max(1, round(staff * share)) for _, share in MIX]
    counts[1] += staff - sum(counts)
    for (agency, _), count in zip(MIX, counts, strict=True):
        n_teams = max(1, round(count / 6))
        for t in range(n_teams):
            pattern = TEAM_PATTERNS[agency][t % len(TEAM_PATTERNS[agency])]
            offset = rng.randrange(CYCLE_DAYS[pattern]) if pattern in CYCLE_DAYS else 0
            if contended and agency == "police" and t < units:
                # Hub units: each a whole team on its own relief, spread across the 10-day cycle.
                pattern, offset = "police-6-on-4-off", (t * 10 // units + seed) % 10
            if contended and agency == "health" and t == 0:
                pattern, offset = "health-office", 0  # the safeguarding nurses, Monday to Friday
            team_id = f"{agency}-{t + 1}"
            teams.append((team_id, f"{agency.replace('-', ' ').title()} team {t + 1}", agency, pattern, offset))
            members[team_id] = []
        for i in range(count):
            team_id = f"{agency}-{i % n_teams + 1}"
            pid = f"{agency[:2]}-{i + 1:04d}"
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            pattern = teams[len(teams) - n_teams + i % n_teams][3]
            # Officers in a unit are split across reliefs: the same cycle, staggered offsets.
            own = rng.randrange(CYCLE_DAYS[pattern]) if agency == "police" and i % 2 else None
            own_pattern = None
            if contended and agency == "police" and i % n_teams < units:
                own = None  # a hub unit works as one relief
                if surge.relief == "staggered":  # each officer on their own relief, spread over the cycle
                    unit = i % n_teams
                    size = len(range(unit, count, n_teams))
                    own = (teams[len(teams) - n_teams + unit][4] + (i // n_teams) * 10 // size) % 10
            if contended and agency == "social-work":
                roll = rng.random()
                own_pattern = "sw-part-time" if roll < 0.25 else "sw-nine-day-fortnight" if roll < 0.4 else None
            role = "Hub officer" if contended and agency == "police" and i % n_teams < units else ROLES[agency]
            people.append((pid, name, f"{pid}@{agency}.example.org", team_id, role, own, own_pattern))
            members[team_id].append(pid)

    lines = ["#:schema ../../docs/schema/teams.schema.json", ""]
    for tid, name, agency, pattern, offset in teams:
        lines += [
            "[[teams]]",
            f"id = {_q(tid)}",
            f"name = {_q(name)}",
            f"agency = {_q(agency)}",
            f"pattern = {_q(pattern)}",
            f"offset = {offset}",
            "",
        ]
    (folder / "teams.toml").write_text("\n".join(lines))
    lines = []
    for pid, name, email, team, role, own, own_pattern in people:
        lines += [
            "[[people]]",
            f"id = {_q(pid)}",
            f"name = {_q(name)}",
            f"email = {_q(email)}",
            f"team = {_q(team)}",
            f"role = {_q(role)}",
            *([f"pattern = {_q(own_pattern)}"] if own_pattern is not None else []),
            *([f"offset = {own}"] if own is not None else []),
            "",
        ]
    (folder / "people.toml").write_text("\n".join(lines))

    # Absences: about one person in eight has a few days' leave, some a court date.
    rows = ["person,start,end,kind"]
    for pid, *_ in people:
        if rng.random() < 0.125:
            start = first + timedelta(days=rng.randrange(days))
            rows.append(f"{pid},{start},{start + timedelta(days=rng.randrange(1, 5))},leave")
        elif rng.random() < 0.05:
            day = first + timedelta(days=rng.randrange(days))
            rows.append(f"{pid},{day}T09:30,{day}T16:00,court")
    (folder / "absences.csv").write_text("\n".join(rows) + "\n")

    by_agency = {a: [t for t in teams if t[2] == a] for a, _ in MIX}
    if contended:
        hub = [pid for pid, *_, role, _own, _pattern in people if role == "Hub officer"]
        text, involved = _surge(rng, requests, first, by_agency, members, surge, seed, hub)
    else:
        text, involved = _requests(rng, requests, days, first, by_agency, members), []
    (folder / "requests.toml").write_text(text)
    if contended and surge.leave_rate > 0:
        _add_leave(folder, first, surge, sorted({*hub, *involved}), seed)
    return folder


def surge_days(first: date, surge: Surge) -> list[date]:
    """The working days the surge's requests are spread over."""
    if surge.horizon_days is None:
        return [add_working_days(first, n, "GB-ENG") for n in range(SURGE_WORKING_DAYS)]
    day, out = add_working_days(first, 0, "GB-ENG"), []
    while day < first + timedelta(days=surge.horizon_days):
        out.append(day)
        day = add_working_days(day, 1, "GB-ENG")
    return out


def _add_leave(folder: Path, first: date, surge: Surge, people: list[str], seed: int) -> None:
    """Whole days of leave or training on ``surge.leave_rate`` of each person's duty days in the horizon.

    Duty days come from the folder's own rotas (the roster), so the leave falls where it costs something.
    """
    from rotas.folder import load_folder
    from rotas.roster import roster

    p, problems = load_folder(folder)
    if p is None:
        raise ValueError("generated folder has problems: " + "; ".join(map(str, problems[:3])))
    days = surge_days(first, surge)
    span = (days[-1] - first).days + 3  # a window may end a working day or two after the last surge day
    rng = random.Random(f"leave-{seed}")
    rows = []
    for pid, week in sorted(roster(p, first, span, people).items()):
        for rd in week:
            if rd.status == "duty" and rng.random() < surge.leave_rate:
                kind = "training" if rng.random() < 0.3 else "leave"
                rows.append(f"{pid},{rd.date},{rd.date},{kind}")
    with (folder / "absences.csv").open("a") as out:
        out.write("".join(row + "\n" for row in rows))


def hub_units(staff: int) -> int:
    """How many police units serve the hub in the contended profile: 2 at 200 staff, 4 at 500."""
    return max(2, round(staff / 125))


def _keep_rooms(path: Path, count: int) -> None:
    """Keep the first ``count`` of the example's hub rooms (the contended profile's scarce rooms)."""
    text = path.read_text()
    head, sep, rooms = text.partition("[[rooms]]")
    blocks = [b for b in rooms.split("[[rooms]]")] if sep else []
    path.write_text(head + "".join("[[rooms]]" + b for b in blocks[:count]))


HUB_OFFICER = '{ agency = "police", role = "Hub officer" }'


def _surge(
    rng: random.Random,
    count: int,
    first: date,
    by_agency: dict[str, list[Team]],
    members: dict[str, list[str]],
    surge: Surge,
    seed: int,
    hub_officers: list[str],
) -> tuple[str, list[str]]:
    """Strategy discussions and joint visits over the surge's days, on few police units and caseholders.

    Also returns the caseholders and nurses it draws on (for the surge's leave).
    """
    days = surge_days(first, surge)
    nurses = by_agency["health"][0][0]
    workers = sorted(p for t in by_agency["social-work"] for p in members[t[0]])
    caseholders = rng.sample(workers, min(len(workers), max(2, round(count / 4))))
    windows = random.Random(f"windows-{seed}")
    knows = random.Random(f"optional-{seed}")
    officers = sorted(hub_officers)
    out: list[str] = []
    for n in range(count):
        case_no = 30001 + n
        sw = caseholders[n % len(caseholders)]  # about four cases each
        day = rng.choice(days)
        if rng.random() < 0.55:
            rid, kind = f"sd-{case_no}", "strategy-discussion"
            slots = [HUB_OFFICER, f"{{ team = {_q(nurses)} }}"]
            extra = ['venue = "hub"'] if rng.random() < 0.4 else []
        else:
            rid, kind = f"jv-{case_no}", "joint-visit"
            pair = rng.random() < 0.33
            slots = [HUB_OFFICER[:-2] + (", count = 2 }" if pair else " }")]
            extra = []
        out += [
            "[[requests]]",
            f"id = {_q(rid)}",
            f"kind = {_q(kind)}",
            f"case = {_q(f'CP-{case_no}')}",
            f"earliest = {day}",
            *_latest(windows, day, surge),
            *extra,
            f"invite = [{{ person = {_q(sw)} }}{_knows(knows, officers, surge)}]",
            "slots = [" + ", ".join(slots) + "]",
            "",
        ]
    return "#:schema ../../docs/schema/requests.schema.json\n\n" + "\n".join(out), [*caseholders, *members[nurses]]


def _knows(rng: random.Random, officers: list[str], surge: Surge) -> str:
    """An optional invitee on ``surge.optional_rate`` of requests: an officer who knows the family."""
    if not officers or rng.random() >= surge.optional_rate:
        return ""
    return f", {{ person = {_q(rng.choice(officers))}, required = false }}"


def _latest(rng: random.Random, day: date, surge: Surge) -> list[str]:
    """``latest`` for a window of the surge's length in working days (none: the kind's own deadline)."""
    if surge.window is None:
        return []
    n = rng.randint(*surge.window)
    return [f"latest = {add_working_days(day, n - 1, 'GB-ENG')}"]


def _requests(
    rng: random.Random,
    count: int,
    days: int,
    first: date,
    by_agency: dict[str, list[Team]],
    members: dict[str, list[str]],
) -> str:
    out: list[str] = []
    made = 0
    case_no = 20000

    def team_slot(agency: str) -> str:
        team = rng.choice(by_agency[agency])
        return f"{{ team = {_q(team[0])} }}"

    # Caseloads: a third of the social workers hold the cases being arranged, several each.
    workers = sorted(p for t in by_agency["social-work"] for p in members[t[0]])
    caseholders = rng.sample(workers, max(2, len(workers) // 3))

    def worker() -> str:
        return rng.choice(caseholders)

    def other_worker(not_this: str) -> str:
        while (choice := worker()) == not_this:
            pass
        return choice

    def entry(rid: str, kind: str, case: str, when: list[str], invite: list[str], slots: list[str]) -> None:
        nonlocal made
        out.extend(
            [
                "[[requests]]",
                f"id = {_q(rid)}",
                f"kind = {_q(kind)}",
                f"case = {_q(case)}",
                *when,
                "invite = [" + ", ".join(invite) + "]",
            ]
        )
        if slots:
            out.append("slots = [" + ", ".join(slots) + "]")
        out.append("")
        made += 1

    while made < count:
        case_no += 1
        case = f"CP-{case_no}"
        day = first + timedelta(days=rng.randrange(max(1, days - 5)))
        roll = rng.random()
        sw = worker()
        if roll < 0.45:
            # A strategy discussion, and often the conference and core group that follow it.
            entry(
                f"sd-{case_no}",
                "strategy-discussion",
                case,
                [f"earliest = {day}"],
                [f"{{ person = {_q(sw)} }}"],
                [team_slot("police"), team_slot("health")],
            )
            if made < count and rng.random() < 0.6:
                entry(
                    f"icpc-{case_no}",
                    "initial-conference",
                    case,
                    [f'within = {{ of_request = "sd-{case_no}" }}'],
                    [f"{{ person = {_q(sw)} }}"],
                    [team_slot("police"), team_slot("health")],
                )
                if made < count and rng.random() < 0.5:
                    entry(
                        f"cg-{case_no}",
                        "core-group",
                        case,
                        [f'within = {{ of_request = "icpc-{case_no}" }}'],
                        [f"{{ person = {_q(sw)} }}", f"{{ person = {_q(other_worker(sw))}, required = false }}"],
                        [team_slot("health")],
                    )
        elif roll < 0.70:
            officer = rng.choice(members[rng.choice(by_agency["police"])[0]])
            invite = [f"{{ person = {_q(sw)} }}"]
            slots = [team_slot("police")]
            if rng.random() < 0.4:
                invite.append(f"{{ person = {_q(officer)} }}")
                slots = []
            entry(
                f"jv-{case_no}",
                "joint-visit",
                case,
                [f"earliest = {day}", f"latest = {day + timedelta(days=rng.randrange(2, 5))}"],
                invite,
                slots,
            )
        elif roll < 0.88:
            extra = rng.choice(["youth", "third-sector"])
            other = rng.choice(members[rng.choice(by_agency[extra])[0]])
            entry(
                f"pm-{case_no}",
                "professionals-meeting",
                case,
                [f"earliest = {day}", f"latest = {day + timedelta(days=rng.randrange(4, 9))}"],
                [f"{{ person = {_q(sw)} }}", f"{{ person = {_q(other)}, required = false }}"],
                [team_slot("police")],
            )
        else:
            entry(
                f"rcpc-{case_no}",
                "review-conference",
                case,
                [f"earliest = {day}", f"latest = {day + timedelta(days=rng.randrange(5, 11))}"],
                [f"{{ person = {_q(sw)} }}"],
                [team_slot("police"), team_slot("health")],
            )
    return "#:schema ../../docs/schema/requests.schema.json\n\n" + "\n".join(out)
