"""CLI commands for requests and the schedule: a thin face over ``scheduler.scheduling``."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from scheduler import render, scheduling
from scheduler.cli_context import Context, pass_ctx
from scheduler.errors import UserError
from scheduler.requests import PRESETS


def _when(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    try:
        (datetime.fromisoformat(value) if ("T" in value or " " in value) else date.fromisoformat(value))
    except ValueError as exc:
        raise UserError(f"{what} {value!r} is not a date (2026-03-24) or date-time (2026-03-24T10:00)") from exc
    return value.replace(" ", "T")


def _slot(text: str) -> dict[str, Any]:
    """'team=pvu' or 'agency=health,role=Health visitor,count=2' as a slot spec."""
    out: dict[str, Any] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in {"team", "agency", "role", "label", "count", "prefer"}:
            raise UserError(
                f"--slot {text!r}: write key=value pairs such as team=pvu,count=1 "
                "(keys: team, agency, role, label, count, prefer)"
            )
        if key == "count":
            if not value.isdigit():
                raise UserError(f"--slot {text!r}: count must be a whole number")
            out[key] = int(value)
        elif key == "prefer":
            out.setdefault("prefer", []).append(value)
        else:
            out[key] = value
    return out


def _request_options(f):
    options = [
        click.option(
            "--kind",
            type=click.Choice(sorted(PRESETS)),
            help="Meeting kind (sets default length, required agencies, deadline).",
        ),
        click.option("--case", help="Case reference, e.g. CP-10482 (a code, never a name)."),
        click.option("--earliest", help="First date or date-time, e.g. 2026-03-24 or 2026-03-24T09:00."),
        click.option("--latest", help="Last date (whole day) or date-time to end by."),
        click.option("--within", type=int, metavar="N", help="Deadline: N working days after --of."),
        click.option("--calendar-days", is_flag=True, help="Count --within in calendar days, not working days."),
        click.option("--of", "of", metavar="REQUEST|DATE", help="What --within counts from."),
        click.option("--duration", type=int, metavar="MIN", help="Length in minutes."),
        click.option("--venue", help="'virtual', 'hub', or a place such as 'family home'."),
        click.option("--travel", type=int, metavar="MIN", help="Travel minutes before and after."),
        click.option("--room", help="A hub room id."),
        click.option("--urgency", type=click.Choice(["urgent", "normal"])),
        click.option("--allow-off-duty/--no-off-duty", default=None, help="May people be asked to attend off duty?"),
        click.option("--fixed", metavar="DATETIME", help="Lock the start, e.g. 2026-03-24T10:00."),
        click.option("--invite", multiple=True, metavar="PERSON", help="A required invitee (repeat)."),
        click.option("--optional", multiple=True, metavar="PERSON", help="An optional invitee (repeat)."),
        click.option("--slot", multiple=True, metavar="SPEC", help="A role slot, e.g. team=pvu (repeat)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _spec(base: dict[str, Any], o: dict[str, Any]) -> dict[str, Any]:
    spec = dict(base)
    for key in ("kind", "case", "duration", "venue", "travel", "room", "urgency"):
        if o[key] is not None:
            spec[key] = o[key]
    for key in ("earliest", "latest", "fixed"):
        if o[key] is not None:
            spec[key] = _when(o[key], f"--{key}")
    if o["allow_off_duty"] is not None:
        spec["allow_off_duty"] = o["allow_off_duty"]
    if o["within"] is not None or o["of"] is not None:
        if o["within"] is None or o["of"] is None:
            raise UserError("give --within N together with --of REQUEST or --of DATE")
        within: dict[str, Any] = {"days" if o["calendar_days"] else "working_days": o["within"]}
        try:
            within["of_date"] = date.fromisoformat(o["of"]).isoformat()
        except ValueError:
            within["of_request"] = o["of"]
        spec["within"] = within
    if o["invite"] or o["optional"]:
        spec["invite"] = [{"person": p} for p in o["invite"]] + [
            {"person": p, "required": False} for p in o["optional"]
        ]
    if o["slot"]:
        spec["slots"] = [_slot(s) for s in o["slot"]]
    return spec


@click.group()
def request() -> None:
    """Add, change, remove and list the meetings to arrange."""


@request.command("add")
@click.argument("request_id")
@_request_options
@pass_ctx
def request_add(ctx: Context, request_id: str, **options: Any) -> None:
    """Add a request REQUEST_ID (checked like requests.toml; nothing saved unless valid)."""
    if options["kind"] is None or options["case"] is None:
        raise UserError("a new request needs --kind and --case")
    r = scheduling.put_request(ctx.db_path, ctx.partnership_id, _spec({"id": request_id}, options), replace=False)
    click.echo(f"Added {r.id}: {r.label.lower()}, case {r.case}, {r.duration} min")


@request.command("edit")
@click.argument("request_id")
@_request_options
@pass_ctx
def request_edit(ctx: Context, request_id: str, **options: Any) -> None:
    """Change REQUEST_ID: only the options given change (--invite/--optional/--slot replace their lists)."""
    _, rows, _ = scheduling.list_requests(ctx.db_path, ctx.partnership_id)
    current = next((r["spec"] for r in rows if r["id"] == request_id), None)
    if current is None:
        raise UserError(f"no request {request_id!r} (see quorum request list)")
    r = scheduling.put_request(ctx.db_path, ctx.partnership_id, _spec(current, options), replace=True)
    click.echo(f"Changed {r.id}: {r.label.lower()}, case {r.case}, {r.duration} min")


@request.command("rm")
@click.argument("request_id")
@pass_ctx
def request_rm(ctx: Context, request_id: str) -> None:
    """Remove REQUEST_ID (a meeting already placed for it is marked cancelled)."""
    scheduling.remove_request(ctx.db_path, ctx.partnership_id, request_id)
    click.echo(f"Removed {request_id}")


@request.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def request_list(ctx: Context, as_json: bool) -> None:
    """List the requests with their state."""
    _, rows, meetings = scheduling.list_requests(ctx.db_path, ctx.partnership_id)
    items = [
        {
            "id": r["id"],
            "source": r["source"],
            "state": (meetings.get(r["id"]) or {}).get("status", "pending"),
            **{k: v for k, v in r["spec"].items() if k != "notes"},
        }
        for r in rows
    ]
    if as_json:
        click.echo(json.dumps(items, indent=2))
        return
    if not items:
        click.echo("No requests yet: add one with quorum request add, or list them in requests.toml")
    for item in items:
        click.echo(f"{item['id']:<22} {item['kind']:<22} {item['case']:<10} {item['state']:<11} {item['source']}")


@click.command()
@click.option("--from", "first", metavar="DATE", help="Only place meetings from this day.")
@click.option("--days", type=click.IntRange(1, 366), help="...and within this many days.")
@click.option(
    "--time-limit",
    type=click.FloatRange(0.1, 3600),
    default=10.0,
    show_default=True,
    help="Seconds CP-SAT may search (wall clock).",
)
@click.option(
    "--work-limit",
    type=click.FloatRange(0.1, 1e6),
    metavar="UNITS",
    help="A deterministic work limit instead: the same data and --seed then give the same schedule.",
)
@click.option(
    "--gap",
    type=click.FloatRange(0, 0.5),
    default=0.0,
    show_default=True,
    help="Stop once within this fraction of the best bound (0: search until proven optimal).",
)
@click.option("--strategy", type=click.Choice(list(scheduling.STRATEGIES)), default="cpsat", show_default=True)
@click.option(
    "--alternatives",
    type=click.IntRange(0, 10),
    default=0,
    show_default=True,
    metavar="K",
    help="For each meeting, the next K best start times.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--reschedule", multiple=True, metavar="REQUEST", help="Let a locked, sent or cancelled one move.")
@click.option("--json", "as_json", is_flag=True, help="Print the schedule as JSON (see docs/solver.md).")
@pass_ctx
def solve(
    ctx: Context,
    first: str | None,
    days: int | None,
    time_limit: float,
    work_limit: float | None,
    gap: float,
    strategy: str,
    alternatives: int,
    seed: int,
    reschedule: tuple[str, ...],
    as_json: bool,
) -> None:
    """Place the pending requests to maximise cross-agency attendance, and store the schedule."""
    start_day = None
    if first is not None:
        try:
            start_day = date.fromisoformat(first)
        except ValueError as exc:
            raise click.BadParameter(f"{first!r} is not a date such as 2026-03-23", param_hint="--from") from exc
    if days is not None and start_day is None:
        raise UserError("--days needs --from")
    job = scheduling.SolveRequest(
        first=start_day,
        days=days,
        time_limit_s=time_limit,
        strategy=strategy,
        alternatives=alternatives,
        seed=seed,
        deterministic_limit=work_limit,
        reschedule=tuple(reschedule),
        relative_gap=gap,
    )
    doc = scheduling.solve(ctx.db_path, ctx.partnership_id, job)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(render.schedule_text(doc), nl=False)


@click.command()
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def schedule(ctx: Context, as_json: bool) -> None:
    """Show the stored schedule: placed meetings, unscheduled requests and why."""
    doc = scheduling.stored_schedule(ctx.db_path, ctx.partnership_id)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(render.schedule_text(doc), nl=False)


@click.command()
@click.argument("request_id")
@pass_ctx
def lock(ctx: Context, request_id: str) -> None:
    """Keep a placed meeting where it is when solving again."""
    scheduling.lock(ctx.db_path, ctx.partnership_id, request_id, True)
    click.echo(f"Locked {request_id}")


@click.command()
@click.argument("request_id")
@pass_ctx
def unlock(ctx: Context, request_id: str) -> None:
    """Let a locked meeting move when solving again."""
    scheduling.lock(ctx.db_path, ctx.partnership_id, request_id, False)
    click.echo(f"Unlocked {request_id}")


@click.command()
@click.argument("request_id")
@click.option("--to", "to", metavar="DATETIME", help="Local start, e.g. 2026-03-24T10:00.")
@click.option("--alternative", type=int, metavar="N", help="The Nth stored alternative (solve --alternatives K).")
@pass_ctx
def move(ctx: Context, request_id: str, to: str | None, alternative: int | None) -> None:
    """Move a meeting to another time and lock it there."""
    target = None
    if to is not None:
        try:
            target = datetime.fromisoformat(to)
        except ValueError as exc:
            raise UserError(f"--to {to!r} is not a date-time such as 2026-03-24T10:00") from exc
    m = scheduling.move(ctx.db_path, ctx.partnership_id, request_id, target, alternative)
    click.echo(f"Moved {request_id} to {render.local_span(m['start'], m['end'])} and locked it")


@click.command()
@click.argument("request_id")
@pass_ctx
def cancel(ctx: Context, request_id: str) -> None:
    """Cancel a meeting (it is not placed again unless solved with --reschedule)."""
    scheduling.cancel(ctx.db_path, ctx.partnership_id, request_id)
    click.echo(f"Cancelled {request_id}")


@click.command()
@click.option("--staff", type=click.IntRange(10, 5000), default=200, show_default=True)
@click.option("--requests", "n_requests", type=click.IntRange(1, 2000), default=80, show_default=True)
@click.option("--days", type=click.IntRange(5, 120), default=28, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--from", "first", default="2026-03-02", show_default=True, metavar="DATE")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def generate(staff: int, n_requests: int, days: int, seed: int, first: str, folder: Path) -> None:
    """Write a synthetic partnership FOLDER shaped like the example (for trials and benchmarks)."""
    from scheduler.generate import generate as write
    from scheduler.paths import example_folder

    if folder.exists() and any(folder.iterdir()):
        raise UserError(f"{folder} is not empty: choose a new folder")
    try:
        start = date.fromisoformat(first)
    except ValueError as exc:
        raise UserError(f"--from {first!r} is not a date such as 2026-03-02") from exc
    write(folder, staff, n_requests, days, seed, start, example_folder())
    click.echo(f"Wrote {folder}: {staff} staff, {n_requests} requests over {days} days (seed {seed})")


@click.command()
@click.option("--sizes", default="S,M,L", show_default=True, help="Which of S, M, L to run.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def bench(sizes: str, seed: int, as_json: bool) -> None:
    """Greedy against CP-SAT on generated partnerships: S (50 staff, 20 requests, 14 days), M (200, 80, 28),
    L (500, 200, 28)."""
    from scheduler.bench import SIZES, table
    from scheduler.bench import bench as run

    chosen = [s.strip().upper() for s in sizes.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SIZES]
    if unknown or not chosen:
        raise UserError(f"--sizes takes S, M and/or L (got {sizes!r})")
    rows = run(chosen, seed)
    click.echo(json.dumps(rows, indent=2) if as_json else table(rows), nl=not as_json)


@click.command()
@click.option("--agencies", metavar="A,B,...", help="Agencies that should be there (default: every agency).")
@click.option("--duration", type=click.IntRange(5, 240), default=30, show_default=True, help="Minutes.")
@click.option("--days", "weekdays", default="MO,TU,WE,TH,FR", show_default=True, help="Days of the week it runs.")
@click.option("--from", "first", metavar="DATE", help="First day of the cycle looked at (default: today).")
@click.option("--weeks", type=click.IntRange(1, 52), help="How many weeks (default: one whole rota cycle).")
@click.option("--top", type=click.IntRange(1, 20), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def standing(
    ctx: Context,
    agencies: str | None,
    duration: int,
    weekdays: str,
    first: str | None,
    weeks: int | None,
    top: int,
    as_json: bool,
) -> None:
    """The best fixed time of day for a standing meeting (e.g. the daily high-risk meeting), over a rota cycle."""
    from scheduler.services import open_partnership
    from scheduler.standing import cycle_days, standing_options

    p = open_partnership(ctx.db_path, ctx.partnership_id)
    try:
        start = date.fromisoformat(first) if first else date.today()
    except ValueError as exc:
        raise UserError(f"--from {first!r} is not a date such as 2026-03-23") from exc
    days = weeks * 7 if weeks else cycle_days(p)
    chosen = [a.strip() for a in agencies.split(",")] if agencies else [a.id for a in p.agencies]
    options = standing_options(p, chosen, duration, start, days, [d.strip().upper() for d in weekdays.split(",")], top)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "from": start.isoformat(),
                    "days": days,
                    "duration": duration,
                    "options": [{**o.__dict__, "score": round(o.score, 3)} for o in options],
                },
                indent=2,
            )
        )
        return
    click.echo(
        f"Standing meeting, {duration} min on {weekdays}, over {days} days from {start:%a %d %b %Y} "
        f"({options[0].occurrences} occurrences); share of occurrences each agency is there:"
    )
    for o in options:
        shares = ", ".join(f"{a} {v:.0%}" for a, v in o.shares.items())
        days_text = ", ".join(f"{w} {v:.0%}" for w, v in o.by_weekday.items())
        click.echo(f"  {o.time}  everyone {o.all_present:.0%}  ({shares})")
        click.echo(f"         everyone there, by day: {days_text}")


@click.group(invoke_without_command=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Folder to write into.")
@click.option("--team", metavar="ID", help="Only this team's calendar and the invites involving it.")
@click.option("--meeting", metavar="REQUEST", help="Only this meeting's invite or cancellation.")
@click.pass_context
def export(click_ctx: click.Context, out: Path | None, team: str | None, meeting: str | None) -> None:
    """Write invites (DIR/invites), cancellations (DIR/cancellations) and team calendars (DIR/teams)."""
    if click_ctx.invoked_subcommand is not None:
        return
    if out is None:
        raise UserError("give --out DIR")
    from scheduler.export import export as write

    ctx = click_ctx.find_object(Context)
    report = write(ctx.db_path, ctx.partnership_id, out, team, meeting)
    click.echo(
        f"Wrote {len(report.files)} files to {out}: {len(report.new)} new, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.cancelled)} cancelled"
    )
    for what in ("new", "updated", "cancelled"):
        for rid in getattr(report, what):
            click.echo(f"  {what}: {rid}")


@export.command("rota")
@click.option("--person", metavar="ID")
@click.option("--team", metavar="ID")
@click.option("--from", "first", required=True, metavar="DATE")
@click.option("--days", type=click.IntRange(1, 366), default=28, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@pass_ctx
def export_rota(ctx: Context, person: str | None, team: str | None, first: str, days: int, out: Path) -> None:
    """Write a person's or a team's shifts as a calendar, to see beside their meetings."""
    from scheduler.export import export_rota as write

    try:
        start = date.fromisoformat(first)
    except ValueError as exc:
        raise UserError(f"--from {first!r} is not a date such as 2026-03-23") from exc
    click.echo(f"Wrote {write(ctx.db_path, ctx.partnership_id, out, start, days, person, team)}")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def replies(ctx: Context, files: tuple[Path, ...]) -> None:
    """Record attendees' answers from METHOD:REPLY files (shown by quorum schedule)."""
    from scheduler.replies import read_replies

    found = read_replies(ctx.db_path, ctx.partnership_id, list(files))
    for r in found:
        note = " (answers an older version of the invite: not recorded)" if r.stale else ""
        click.echo(f"{r.request}: {r.person} {r.partstat}{note}")


@click.command()
@click.option("--url", required=True, help="The CalDAV server (its calendar home is found from there).")
@click.option("--user", help="User name on the server.")
@click.option(
    "--password-env",
    metavar="VAR",
    help="Environment variable holding the password (else you are asked; never on the command line).",
)
@pass_ctx
def publish(ctx: Context, url: str, user: str | None, password_env: str | None) -> None:
    """Put each team's and agency's meetings into a CalDAV calendar, updating in place."""
    import os
    import sys

    from scheduler.publish import publish as put

    password = None
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            raise UserError(f"the environment variable {password_env} is not set")
    elif user:
        if not sys.stdin.isatty():
            raise UserError("give --password-env VAR: there is no terminal to ask for the password")
        password = click.prompt(f"Password for {user}", hide_input=True)
    report = put(ctx.db_path, ctx.partnership_id, url, user, password)
    click.echo(
        f"Published to {len(report.collections)} calendars ({len(report.created)} created): "
        f"{len(report.new)} new, {len(report.changed)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.cancelled)} cancelled; "
        f"{report.removed} removed from calendars they no longer concern"
    )


COMMANDS = (request, solve, schedule, lock, unlock, move, cancel, generate, bench, standing, export, replies, publish)
