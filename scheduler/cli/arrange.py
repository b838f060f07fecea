"""Arranging meetings: `solve`, `schedule`, `lock`, `unlock`, `move`, `cancel`, and the standing meeting."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click

from scheduler import today as clock
from scheduler.cli import render, running, values
from scheduler.cli.context import Context, pass_ctx
from scheduler.errors import UserError
from scheduler.services import interruptions, moves, scheduling
from scheduler.services.settings import DEFAULT_SOLVE_SECONDS, read_settings
from scheduler.today import moment_text


def _safety(work_limit: float | None) -> float:
    """The time limit when none is given: the coordinator's own, or under a work limit a generous safety stop."""
    if work_limit is None:
        return read_settings().solve_seconds
    return min(3600.0, max(60.0, 10.0 * work_limit))


@click.command()
@click.option("--from", "first", metavar="DATE", help="Only place meetings from this day.")
@click.option("--days", type=click.IntRange(1, 366), help="...and within this many days.")
@click.option(
    "--time-limit",
    type=click.FloatRange(0.1, 3600),
    metavar="SECONDS",
    help="Seconds the whole solve may take (wall clock); it stops sooner once its schedule is proven best. "
    f"Default: solve_seconds in settings.toml (the UI's Solve screen sets it), else {DEFAULT_SOLVE_SECONDS:g}.",
)
@click.option(
    "--work-limit",
    type=click.FloatRange(0.1, 1e6),
    metavar="UNITS",
    help="A deterministic work limit (CP-SAT's deterministic time, shared by the stages as the clock would be): "
    "the same data, --seed and limit then give the same schedule on any machine at any load. The time limit "
    "is then only a safety stop (default 10 s a unit, at least 60 s), and the output says if it cut in.",
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
    default=2,
    show_default=True,
    metavar="K",
    help="For each meeting, the next K best start times (what move --alternative N picks from).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--reschedule", multiple=True, metavar="REQUEST", help="Let a locked, sent or cancelled one move.")
@click.option("--json", "as_json", is_flag=True, help="Print the schedule as JSON (see docs/solver.md).")
@click.option("--details", is_flag=True, help="Also print the solver's figures (objective, bound, gap, greedy's).")
@pass_ctx
def solve(
    ctx: Context,
    first: str | None,
    days: int | None,
    time_limit: float | None,
    work_limit: float | None,
    gap: float,
    strategy: str,
    alternatives: int,
    seed: int,
    reschedule: tuple[str, ...],
    as_json: bool,
    details: bool,
) -> None:
    """Place the pending requests to maximise cross-agency attendance, and store the schedule."""
    start_day = None
    if first is not None:
        start_day = values.day(first, "--from")
    if days is not None and start_day is None:
        raise UserError("--days needs --from")
    job = scheduling.SolveRequest(
        first=start_day,
        days=days,
        time_limit_s=time_limit if time_limit is not None else _safety(work_limit),
        strategy=strategy,
        alternatives=alternatives,
        seed=seed,
        deterministic_limit=work_limit,
        reschedule=tuple(reschedule),
        relative_gap=gap,
    )
    run = running.solve(ctx.db_path, ctx.partnership_id, job)
    if run.hung_up:  # nobody to print to: the note is for the next start
        sys.exit(interruptions.EXIT_HANGUP)
    assert run.doc is not None
    if as_json:
        click.echo(json.dumps(run.doc, indent=2))
    else:
        click.echo(render.schedule_text(run.doc, details), nl=False)
    running.after(run)


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--details", is_flag=True, help="Also print the last solve's figures (objective, bound, gap).")
@pass_ctx
def schedule(ctx: Context, as_json: bool, details: bool) -> None:
    """Show the stored schedule: placed meetings, unscheduled requests and why."""
    from scheduler.services import answers  # who sent each answer, delegations, proposed times

    doc = answers.stored_schedule(ctx.db_path, ctx.partnership_id)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(render.schedule_text(doc, details), nl=False)


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
@click.option(
    "--alternative",
    type=click.IntRange(1, 10),
    metavar="N",
    help="Its Nth alternative, as quorum schedule lists them (worked out now if the solve kept none).",
)
@click.option("--force", is_flag=True, help="Move it even though its request fixes its time.")
@pass_ctx
def move(ctx: Context, request_id: str, to: str | None, alternative: int | None, force: bool) -> None:
    """Move a meeting to another time and lock it there."""
    if to is not None and alternative is not None:
        raise UserError("give --to or --alternative, not both")
    if alternative is not None:
        m = moves.move_to_alternative(ctx.db_path, ctx.partnership_id, request_id, alternative, force=force)
    else:
        target = values.moment(to, "--to") if to is not None else None
        if target is not None and target.tzinfo is None:
            from rotas.clock import missing_hour, zone
            from scheduler.services.partnership import open_partnership

            hole = missing_hour(target, zone(open_partnership(ctx.db_path, ctx.partnership_id).timezone))
            if hole:
                raise UserError(f"--to: {hole}")
        m = scheduling.move(ctx.db_path, ctx.partnership_id, request_id, target, None, force=force)
    click.echo(f"Moved {request_id} to {render.local_span(m['start'], m['end'])} and locked it")


@click.command()
@click.argument("request_id")
@pass_ctx
def cancel(ctx: Context, request_id: str) -> None:
    """Cancel a meeting (it is not placed again unless solved with --reschedule)."""
    scheduling.cancel(ctx.db_path, ctx.partnership_id, request_id)
    click.echo(f"Cancelled {request_id}")


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
    from scheduler.services.partnership import open_partnership
    from scheduler.solver.standing import cycle_days, standing_options

    p = open_partnership(ctx.db_path, ctx.partnership_id)
    start = values.day(first, "--from") if first else clock.today()
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


def _minute(local: str) -> str:
    """When a decision was made, in the partnership's zone and as the UI's history says it: Tue 24 Mar 10:15."""
    return moment_text(datetime.fromisoformat(local))


@click.command()
@pass_ctx
def undo(ctx: Context) -> None:
    """Undo the last lock, unlock, move, cancel or request change (again to undo the one before)."""
    from rotas.clock import zone
    from scheduler.services.partnership import open_partnership

    done = scheduling.undo(ctx.db_path, ctx.partnership_id)
    tz = zone(open_partnership(ctx.db_path, ctx.partnership_id).timezone)
    decided = datetime.fromisoformat(done["at"]).astimezone(tz).isoformat()
    click.echo(f"Undid: {done['request']} {done['what']} (decided {_minute(decided)})")


@click.command()
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def history(ctx: Context, as_json: bool) -> None:
    """The decisions made, latest first (undo takes back the latest not yet undone)."""
    items = scheduling.history(ctx.db_path, ctx.partnership_id)
    if as_json:
        click.echo(json.dumps(items, indent=2))
        return
    if not items:
        click.echo("No decisions yet: lock, move, cancel and request changes are listed here")
    for x in items:
        click.echo(f"{_minute(x['local'])}  {x['request']:<16} {x['what']}{'  (undone)' if x['undone'] else ''}")


COMMANDS = (
    solve,
    schedule,
    lock,
    unlock,
    move,
    cancel,
    undo,
    history,
    standing,
)
