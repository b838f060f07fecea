"""Checks across the partnership files: each pattern, team and person refers to things the other files define.

Kept apart from reading the files (``rotas.folder``) so each rule is found in one place; every problem names
its file and key, and the lists of what is defined are given so a coordinator can see the right spelling.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time

from dateutil.rrule import rrulestr

from rotas.model import (
    Agency,
    CyclePattern,
    Pattern,
    Person,
    Shift,
    Team,
    WeeklyPattern,
    WeeklyRule,
)
from rotas.problems import Problem, key_path, key_words
from rotas.sane import did_you_mean
from rotas.schema import (
    PatternsFile,
    PeopleFile,
)

MAX_CYCLE_DAYS = 366


def listed(items: Iterable[str], near: str | None = None) -> str:
    """The names defined, and the one ``near`` was probably meant to be (a slip of a letter or two)."""
    names = sorted(items)
    return (", ".join(names) if names else "none") + (did_you_mean(near, names) if near is not None else "")


def check_patterns(
    doc: PatternsFile,
    agencies: dict[str, Agency],
    known_agencies: set[str] | None,
    broken_codes: set[str],
    problems: list[Problem],
) -> dict[str, Pattern]:
    rel = "patterns.toml"
    out: dict[str, Pattern] = {}
    names = [(f"cycles[{i}]", c.name) for i, c in enumerate(doc.cycles) if c]
    names += [(f"weekly[{i}]", w.name) for i, w in enumerate(doc.weekly) if w]
    seen: dict[str, str] = {}
    for where, name in names:
        if name in seen:
            problems.append(
                Problem(rel, f"pattern {name!r} is already defined at {key_words(seen[name])}", key=f"{where}.name")
            )
        seen.setdefault(name, where)

    def codes_of(agency: str, where: str) -> dict[str, Shift] | None:
        if agency in agencies:
            # Codes whose definitions were invalid are reported already; count them as known.
            shifts = dict(agencies[agency].shifts)
            for marker in broken_codes:
                owner, _, code = marker.partition("/")
                if owner == agency:
                    shifts.setdefault(code, Shift(code, code, time(0), time(1)))
            return shifts
        if known_agencies is not None and agency not in known_agencies:
            problems.append(
                Problem(
                    rel,
                    f"unknown agency {agency!r} (agencies.toml defines {listed(agencies, agency)})",
                    key=f"{where}.agency",
                )
            )
        return None

    for i, c in enumerate(doc.cycles):
        if c is None:
            continue
        where = key_path("cycles", i)
        codes = c.codes()
        if not codes:
            problems.append(Problem(rel, "the cycle has no days", key=f"{where}.days"))
            continue
        if len(codes) > MAX_CYCLE_DAYS:
            problems.append(
                Problem(rel, f"the cycle has {len(codes)} days; at most {MAX_CYCLE_DAYS}", key=f"{where}.days")
            )
            continue
        shifts = codes_of(c.agency, where)
        if shifts is not None:
            for d, code in enumerate(codes):
                if code not in shifts:
                    problems.append(
                        Problem(
                            rel,
                            f"unknown shift code {code!r} (agency {c.agency!r} defines {listed(shifts)})",
                            key=f"{where}.days[{d}]",
                        )
                    )
        out.setdefault(c.name, CyclePattern(c.name, c.agency, c.anchor, tuple(codes), c.bank_holidays))

    for i, w in enumerate(doc.weekly):
        if w is None:
            continue
        where = key_path("weekly", i)
        shifts = codes_of(w.agency, where)
        rules: list[WeeklyRule] = []
        for r, rule in enumerate(w.rules):
            rule_where = f"{where}.rules[{r}]"
            if shifts is not None:
                if rule.shift not in shifts:
                    problems.append(
                        Problem(
                            rel,
                            f"unknown shift code {rule.shift!r} (agency {w.agency!r} defines {listed(shifts)})",
                            key=f"{rule_where}.shift",
                        )
                    )
                elif not shifts[rule.shift].on_duty:
                    problems.append(
                        Problem(
                            rel,
                            f"shift {rule.shift!r} is a day-off code; weekly rules list the shifts worked",
                            key=f"{rule_where}.shift",
                        )
                    )
            text = rule.as_rrule()
            if rule.rrule is not None:
                why = check_rrule(text)
                if why:
                    problems.append(Problem(rel, why, key=f"{rule_where}.rrule"))
            rules.append(WeeklyRule(text, rule.shift))
        out.setdefault(
            w.name, WeeklyPattern(w.name, w.agency, w.anchor, tuple(rules), w.bank_holidays, w.term_time_only)
        )
    return out


def check_rrule(text: str) -> str | None:
    from datetime import datetime

    if any(part in text.upper() for part in ("DTSTART", "\n")):
        return 'give the rule alone, e.g. "FREQ=WEEKLY;BYDAY=MO,TU" (the pattern\'s anchor is its start)'
    # A pattern rule picks days. Finer rules would make dateutil step through every second since the anchor.
    parts = dict(p.partition("=")[::2] for p in text.upper().split(";"))
    if parts.get("FREQ") in ("SECONDLY", "MINUTELY", "HOURLY"):
        return 'a pattern rule picks days: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, e.g. "FREQ=WEEKLY;BYDAY=FR"'
    if not parts.get("INTERVAL", "1").strip().isdigit() or int(parts.get("INTERVAL", "1")) < 1:
        return "INTERVAL must be a whole number, 1 or more (INTERVAL=2 is every other week)"
    finer = [p for p in ("BYHOUR", "BYMINUTE", "BYSECOND") if p in parts]
    if finer:
        return f"a pattern rule picks days, not times of day: leave out {', '.join(finer)} (the shift gives the times)"
    try:
        rule = rrulestr(text, dtstart=datetime(2024, 1, 1), forceset=True)
        rule.between(datetime(2024, 1, 1), datetime(2024, 3, 1))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        return f'not a valid RRULE ({exc}), e.g. "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"'
    return None


def check_pattern_use(
    rel: str,
    where: str,
    name: str,
    agency: str,
    offset: int | None,
    patterns: dict[str, Pattern],
    known_patterns: set[str] | None,
    problems: list[Problem],
) -> None:
    pattern = patterns.get(name)
    if pattern is None:
        if known_patterns is not None and name not in known_patterns:
            problems.append(
                Problem(
                    rel,
                    f"unknown pattern {name!r} (patterns.toml defines {listed(patterns, name)})",
                    key=f"{where}.pattern",
                )
            )
        return
    if pattern.agency != agency:
        problems.append(
            Problem(
                rel,
                f"pattern {name!r} is for agency {pattern.agency!r}, but this is in agency {agency!r}",
                key=f"{where}.pattern",
            )
        )
    if offset is None:
        return
    if isinstance(pattern, CyclePattern):
        if offset >= len(pattern.days):
            problems.append(
                Problem(
                    rel,
                    f"offset {offset} is outside the {len(pattern.days)}-day cycle "
                    f"{name!r} (use 0 to {len(pattern.days) - 1})",
                    key=f"{where}.offset",
                )
            )
    elif offset:
        problems.append(
            Problem(rel, f"offset applies to cycle patterns only; {name!r} is a weekly pattern", key=f"{where}.offset")
        )


def check_people(
    doc: PeopleFile,
    teams: dict[str, Team],
    patterns: dict[str, Pattern],
    known_teams: set[str] | None,
    known_patterns: set[str] | None,
    people: dict[str, Person],
    problems: list[Problem],
) -> None:
    rel = "people.toml"
    first: dict[str, int] = {}
    emails: dict[str, int] = {}
    for i, p in enumerate(doc.people):
        if p is None:
            continue
        where = key_path("people", i)
        if p.id in first:
            j = first[p.id]
            other = doc.people[j].team
            if other != p.team:
                message = (
                    f"{p.id!r} is already in team {other!r} at {key_words(f'people[{j}]')}; a person may be in one "
                    "team at a time"
                )
            else:
                message = f"person {p.id!r} is already defined at {key_words(f'people[{j}]')}"
            problems.append(Problem(rel, message, key=f"{where}.id"))
            continue
        first[p.id] = i
        email = p.email.lower()
        if email in emails:
            problems.append(
                Problem(
                    rel,
                    f"email {p.email!r} is already used at {key_words(f'people[{emails[email]}]')}",
                    key=f"{where}.email",
                )
            )
        emails.setdefault(email, i)
        team = teams.get(p.team)
        if team is None:
            if known_teams is not None and p.team not in known_teams:
                problems.append(
                    Problem(
                        rel,
                        f"unknown team {p.team!r} (teams.toml defines {listed(teams, p.team)})",
                        key=f"{where}.team",
                    )
                )
            continue
        if p.agency is not None and p.agency != team.agency:
            problems.append(
                Problem(
                    rel,
                    f"agency {p.agency!r} does not match team {team.id!r}, which is in agency {team.agency!r}",
                    key=f"{where}.agency",
                )
            )
        if p.pattern is not None or p.offset is not None:
            pattern = p.pattern or team.pattern
            if pattern is None:
                problems.append(
                    Problem(
                        rel, "offset given but neither the person nor the team has a pattern", key=f"{where}.offset"
                    )
                )
            else:
                check_pattern_use(rel, where, pattern, team.agency, p.offset, patterns, known_patterns, problems)
        people[p.id] = Person(p.id, p.name, p.email, team.agency, team.id, p.role, p.grade, p.pattern, p.offset)
