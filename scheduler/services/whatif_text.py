"""A what-if comparison in words: the CLI prints it, the UI shows it, the report builds on it.

At most 78 columns a line, so it reads in an 80-column terminal. Case references and people's ids only:
no names of families, nothing from a request's notes.
"""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

MEETING_ROWS = (
    ("placed", "requests placed"),
    ("agencies_present", "agencies present"),
    ("required_off_duty", "required people off duty"),
    ("off_duty_asks", "asked to attend off duty"),
)


def signed(value: float, digits: int = 1) -> str:
    if abs(value) < 10 ** -(digits + 1):
        return "0" if digits == 0 else f"{0:.{digits}f}"
    return f"{value:+.{digits}f}"


def _row(label: str, before: str, after: str, change: str) -> str:
    return f"  {label[:38]:<38} {before:>10} {after:>10} {change:>10}"


def heading(doc: dict[str, Any]) -> list[str]:
    s = doc["scenario"]
    lines = [f"What if: {s['name']}"]
    if s["description"]:
        lines += textwrap.wrap(s["description"][:400], 76, initial_indent="  ", subsequent_indent="  ")
    lines += [f"  - {c}" for c in s["changes"]]
    return lines


def overlap_lines(doc: dict[str, Any]) -> list[str]:
    period = doc["period"]
    first, last = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
    o = doc["overlap"]
    lines = [
        f"Overlap, hours a week, {first:%a %d %b} to {last:%a %d %b %Y} ({period['days']} days)",
        _row("", "as it is", "with it", "change"),
    ]
    a = o["all_agencies"]
    lines.append(
        _row(
            f"all {o['week']['agencies']} agencies at once",
            f"{a['before']:.1f}",
            f"{a['after']:.1f}",
            signed(a["difference"]),
        )
    )
    for pair in o["pairs"]:
        lines.append(
            _row(
                pair["pair"].replace("+", " + "),
                f"{pair['before']:.1f}",
                f"{pair['after']:.1f}",
                signed(pair["difference"]),
            )
        )
    return lines


def meeting_lines(title: str, m: dict[str, Any]) -> list[str]:
    lines = [f"Meetings: {title}", f"  {m['note']}"]
    if "before" not in m:
        return lines
    b, a = m["before"], m["after"]
    lines.append(_row("", "as it is", "with it", "change"))
    for key, label in MEETING_ROWS:
        lines.append(_row(label, str(b[key]), str(a[key]), signed(a[key] - b[key], 0)))
    for agency in sorted(set(b["presence"]) | set(a["presence"])):
        x, y = b["presence"].get(agency), a["presence"].get(agency)
        lines.append(
            _row(
                f"{agency} there, of asked",
                f"{x['present']}/{x['asked']}" if x else "-",
                f"{y['present']}/{y['asked']}" if y else "-",
                signed(100 * ((y or {}).get("rate", 0) - (x or {}).get("rate", 0)), 0) + "%" if x and y else "",
            )
        )
    for key, label in (("placed", "placed"), ("agencies_present", "agencies present")):
        v = m["variation"][key]
        said = "within the solver's own variation" if v["within_variation"] else "more than the solver's variation"
        if v["before"] == v["after"]:
            said = "no difference"
        lines.append(f"  {label} over the seeds: {_range(v['before'])} as it is, {_range(v['after'])} with it: {said}")
    c = m["changes"]
    for key, label in (
        ("placed", "newly placed"),
        ("not_placed", "no longer placed"),
        ("more_agencies", "more agencies"),
        ("fewer_agencies", "fewer agencies"),
    ):
        if c[key]:
            items = [f"{x['request']} ({x['case']}, {x['agencies_before']}->{x['agencies_after']})" for x in c[key]]
            lines += _wrapped(f"  {label}: ", items)
    if c["other_time"]:
        lines.append(f"  {c['other_time']} placed at another time, with the same agencies")
    for why in m.get("not_askable", [])[:5]:
        lines.append(f"  cannot be asked with the scenario: {why[:150]}")
    return lines


def _range(values: list[int]) -> str:
    return str(values[0]) if values[0] == values[1] else f"{values[0]}-{values[1]}"


def _wrapped(prefix: str, items: list[str], width: int = 78) -> list[str]:
    lines, line = [], prefix
    indent = " " * (len(prefix) - len(prefix.lstrip()) + 2)
    for i, item in enumerate(items):
        text = item + (", " if i < len(items) - 1 else "")
        if len(line) + len(text) > width and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += text
    lines.append(line.rstrip())
    return lines


def continuity_lines(doc: dict[str, Any]) -> list[str]:
    if not doc["continuity"]:
        return []
    lines = ["Continuity: cases that lose the person who knows the family"]
    for leaver in doc["continuity"]:
        if not leaver["cases"]:
            lines.append(f"  {leaver['person']} ({leaver['team']}) leaves: no case in the requests names them")
            continue
        lines.append(f"  {leaver['person']} ({leaver['team']}) leaves:")
        for case in leaver["cases"]:
            lines += _wrapped(
                f"    {case['case']}: ",
                case["requests"] + [f"with {', '.join(case['other_workers']) or 'nobody else'}"],
            )
            could = [
                f"{c['person']} ({c['hours_with_others']:g} h{', on the case' if c['on_the_case'] else ''})"
                for c in case["candidates"]
            ]
            lines += _wrapped("      could take it over (hours on duty with each): ", could or ["nobody of that role"])
            if case["successor"]:
                how = "named in the scenario" if case["successor_named"] else "the first of these"
                lines.append(f"      compared with {case['successor']} taking it over ({how})")
    return lines


def standing_lines(doc: dict[str, Any]) -> list[str]:
    s = doc["standing"]
    b, a = s["before"]["options"], s["after"]["options"]
    lines = [f"Daily high-risk meeting (30 min, Mon-Fri, over {s['before']['days']} days): best times"]
    for i in range(max(len(b), len(a))):
        x = f"{b[i]['time']} all there {b[i]['all_present']:.0%}" if i < len(b) else ""
        y = f"{a[i]['time']} all there {a[i]['all_present']:.0%}" if i < len(a) else ""
        lines.append(f"  {i + 1}. as it is {x:<24} with it {y}")
    return lines


def comparison_text(doc: dict[str, Any]) -> str:
    lines = [*heading(doc), "", *overlap_lines(doc), ""]
    for key, title in (("pending", "the pending requests"), ("typical", "a typical fortnight")):
        lines += [*meeting_lines(title, doc["meetings"][key]), ""]
    more = continuity_lines(doc)
    lines += [*more, ""] if more else []
    lines += standing_lines(doc)
    solving = doc["solving"]
    lines.append("")
    lines.append(
        f"Solved alike on both sides: seeds {', '.join(map(str, solving['seeds']))}, work limit "
        f"{solving['work_limit']:g}, nothing fixed."
    )
    lines += [f"Note: {n}" for n in doc["notes"]]
    return "\n".join(lines) + "\n"
