"""Synthetic partnerships for tests and benchmarks, shaped like the bundled example.

The agencies, shift codes, patterns, terms and rooms are the example's; the
staff are scaled to the requested size with the example's mix (police 30%,
social work 40%, health 14%, youth 10%, third sector 6%) in teams of five to
eight, police units staggered across the cycle; requests follow a
safeguarding hub's mix (strategy discussions with the conferences and core
groups that follow them, joint visits, professionals' meetings, reviews) with
realistic invitees and deadlines. Everything is drawn from one seeded random
generator, so a seed always gives the same folder.
"""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta
from pathlib import Path

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


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(folder: Path, staff: int, requests: int, days: int, seed: int, first: date, example: Path) -> Path:
    """Write a partnership folder with ``staff`` people and ``requests`` requests over ``days`` days."""
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

    teams: list[tuple[str, str, str, str, int]] = []  # id, name, agency, pattern, offset
    people: list[tuple[str, str, str, str, str, int | None]] = []  # id, name, email, team, role, own offset
    members: dict[str, list[str]] = {}
    counts = [max(1, round(staff * share)) for _, share in MIX]
    counts[1] += staff - sum(counts)
    for (agency, _), count in zip(MIX, counts, strict=True):
        n_teams = max(1, round(count / 6))
        for t in range(n_teams):
            pattern = TEAM_PATTERNS[agency][t % len(TEAM_PATTERNS[agency])]
            offset = rng.randrange(CYCLE_DAYS[pattern]) if pattern in CYCLE_DAYS else 0
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
            people.append((pid, name, f"{pid}@{agency}.example.org", team_id, ROLES[agency], own))
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
    for pid, name, email, team, role, own in people:
        lines += [
            "[[people]]",
            f"id = {_q(pid)}",
            f"name = {_q(name)}",
            f"email = {_q(email)}",
            f"team = {_q(team)}",
            f"role = {_q(role)}",
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
    (folder / "requests.toml").write_text(_requests(rng, requests, days, first, by_agency, members))
    return folder


def _requests(rng: random.Random, count: int, days: int, first: date, by_agency, members) -> str:
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
