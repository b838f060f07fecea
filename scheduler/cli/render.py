"""Text tables and JSON documents for the CLI; local times shown in the partnership's zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rotas.overlap import OverlapReport, PairOverlap
from scheduler.services.answers import reply_words
from scheduler.services.describe import outcome_text, role_text, solver_details
from scheduler.services.partnership import PersonAvailability
from scheduler.today import moment_text


def local_iso(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat()


def when(moment: datetime, tz: ZoneInfo) -> str:
    return moment_text(moment.astimezone(tz))


def span_text(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'Sun 29 Mar 22:00 -> Mon 30 Mar 07:00' (same-day ends show only the time)."""
    s, e = start.astimezone(tz), end.astimezone(tz)
    end_text = e.strftime("%H:%M") if s.date() == e.date() else moment_text(e)
    return f"{moment_text(s)} -> {end_text}"


def range_text(first: date, days: int) -> str:
    last = first + timedelta(days=days - 1)
    return f"{first:%a %d %b %Y} to {last:%a %d %b %Y} ({days} days)"


def availability_json(rows: list[PersonAvailability], pid: str, tz: ZoneInfo, first: date, days: int) -> dict[str, Any]:
    return {
        "partnership": pid,
        "timezone": tz.key,
        "from": first.isoformat(),
        "days": days,
        "people": [
            {
                "id": r.person.id,
                "name": r.person.name,
                "agency": r.person.agency,
                "team": r.person.team,
                "role": r.person.role,
                "hours": round(r.hours, 2),
                "intervals": [
                    {
                        "start": local_iso(x.start, tz),
                        "end": local_iso(x.end, tz),
                        "hours": round((x.end - x.start).total_seconds() / 3600, 2),
                        "shift": x.label,
                    }
                    for x in r.periods
                ],
                "absences": [
                    {"start": local_iso(a.start, tz), "end": local_iso(a.end, tz), "kind": a.kind} for a in r.absences
                ],
            }
            for r in rows
        ],
    }


def availability_text(rows: list[PersonAvailability], tz: ZoneInfo, first: date, days: int) -> str:
    lines = [f"On duty, {range_text(first, days)}, times in {tz.key}", ""]
    for r in rows:
        p = r.person
        lines.append(f"{p.name} ({p.id}), {p.agency} / {p.team}: {r.hours:.1f} h on duty")
        if not r.periods:
            lines.append("  not on duty in this range")
        for x in r.periods:
            hours = (x.end - x.start).total_seconds() / 3600
            lines.append(f"  {span_text(x.start, x.end, tz):<34} {hours:5.1f} h  {x.label}")
        for a in r.absences:
            lines.append(f"  absent: {a.kind:<9} {span_text(a.start, a.end, tz)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _pair_json(x: PairOverlap) -> dict[str, Any]:
    return {
        "a": x.a,
        "b": x.b,
        "hours": x.hours,
        "people_pairs": x.people_pairs,
        "pairs_never_together": x.pairs_never_together,
        "median_pair_hours": x.median_pair_hours,
    }


def overlap_json(report: OverlapReport, pid: str) -> dict[str, Any]:
    return {
        "partnership": pid,
        "timezone": report.timezone,
        "from": report.first.isoformat(),
        "days": report.days,
        "agencies": [_pair_json(x) for x in report.agencies],
        "teams": [_pair_json(x) for x in report.teams],
    }


def _table(title: str, pairs: tuple[PairOverlap, ...]) -> list[str]:
    width = max([len(f"{x.a} + {x.b}") for x in pairs] + [len(title)])
    lines = [
        f"{title:<{width}}  {'together':>8}  {'pairs of':>8}  {'never':>8}  {'median':>7}",
        f"{'':<{width}}  {'(hours)':>8}  {'people':>8}  {'together':>8}  {'(hours)':>7}",
    ]
    for x in pairs:
        lines.append(
            f"{x.a + ' + ' + x.b:<{width}}  {x.hours:8.1f}  {x.people_pairs:8d}  "
            f"{x.pairs_never_together:8d}  {x.median_pair_hours:7.1f}"
        )
    return lines


def overlap_text(report: OverlapReport, name: str) -> str:
    lines = [
        f"{name}: who is on duty together, {range_text(report.first, report.days)}, {report.timezone}",
        "together: hours when at least one member of each is on duty at once;",
        "never together: pairs of people (one from each side) who never overlap in the range.",
        "",
        *_table("agencies", report.agencies),
        "",
        *_table("teams", report.teams),
    ]
    return "\n".join(lines) + "\n"


def local_span(start: str, end: str) -> str:
    """'Tue 24 Mar 10:00-11:00' from two ISO 8601 local times."""
    s, e = datetime.fromisoformat(start), datetime.fromisoformat(end)
    tail = e.strftime("%H:%M") if s.date() == e.date() else moment_text(e)
    return f"{moment_text(s)}-{tail}"


def _flags(m: dict[str, Any]) -> str:
    flags = []
    if m.get("fixed"):
        flags.append("fixed by its request")
    elif m.get("locked"):
        flags.append("locked")
    off = [a for a in m.get("attendees", []) if a.get("off_duty")]
    if off:
        flags.append(f"{len(off)} off duty")
    return f"  [{', '.join(flags)}]" if flags else ""


def schedule_text(doc: dict[str, Any], details: bool = False) -> str:
    """The schedule for a coordinator: meetings in time order, then what could not be placed and why.
    The solver's figures (objective, bound, gap) only with ``details``."""
    lines: list[str] = []
    if doc.get("status") is None:
        return "Nothing has been solved yet: run quorum solve\n"
    placed, unscheduled = doc["meetings"], doc["unscheduled"]
    lines.append(outcome_text(doc))
    if details:
        lines.append(solver_details(doc))
    lines.append("")
    for m in placed:
        invited = m.get("agencies_invited")
        present = m.get("agencies_present") or sorted({a["agency"] for a in m["attendees"]})
        lines.append(
            f"{local_span(m['start'], m['end'])}  {m['request']}  {m['case']}  {m['kind']}"
            f"  ({m.get('location') or ''}{', ' + m['room'] if m.get('room') else ''}){_flags(m)}"
        )
        share = f"{len(present)} of {len(invited)} agencies" if invited else f"{len(present)} agencies"
        lines.append(f"    present: {', '.join(present)} ({share})")
        for a in m["attendees"]:
            role = role_text(a)
            cost = a.get("off_duty_cost")
            extra = ""
            if cost:
                rate = "at time and a half" if cost["rate"] >= 1.5 else "overtime"
                extra = f", off duty{' on a rest day' if cost['rest_day'] else ''}: {cost['hours']:g} h {rate}"
            reply = f", {reply_words(a)}" if a.get("reply") else ""
            lines.append(f"    + {a['name']} ({a['agency']}; {role}{extra}{reply})")
        for x in m.get("absent", []):
            lines.append(f"    - {x['name']} ({x['role']}): {x['detail']}")
        for x in m.get("proposals", []):
            unverified = f", unverified: sent by {x['unverified']}" if x["unverified"] else ""
            lines.append(
                f"    ? {x['name']} proposes {local_span(x['start'], x['end'])}{unverified} (to accept: "
                f"quorum move {m['request']} --to {x['start'][:16]})"
            )
        for i, alt in enumerate(m.get("alternatives", []), 1):
            lines.append(
                f"    alternative {i}: {local_span(alt['start'], alt['end'])}, {alt['attendees']} attending,"
                f" {', '.join(alt['agencies_present'])}"
            )
        lines.append("")
    if unscheduled:
        lines.append("Not scheduled:")
        for u in unscheduled:
            lines.append(f"  {u['request']}  {u['case']}  {u['kind']}: {u['detail']}")
            for s in u.get("suggestions", []):
                lines.append(f"      * {s}")
        lines.append("")
    for c in doc.get("cancelled", []):
        lines.append(f"Cancelled: {c['request']} ({c['case']})")
    if doc.get("not_saved"):
        lines.append("")
        lines.append("Kept as another coordinator left them while this solve ran (this solve's answer not saved):")
        for x in doc["not_saved"]:
            lines.append(f"  {x['request']}: {x['reason']}")
        lines.append("Solve again to fit the other meetings around those decisions.")
    return "\n".join(lines).rstrip() + "\n"
