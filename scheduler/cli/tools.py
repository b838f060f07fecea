"""Measuring: `generate` a synthetic partnership and `bench` greedy against CP-SAT on generated ones."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scheduler.cli import values
from scheduler.errors import UserError


@click.command()
@click.option("--staff", type=click.IntRange(10, 5000), default=200, show_default=True)
@click.option("--requests", "n_requests", type=click.IntRange(1, 2000), default=80, show_default=True)
@click.option("--days", type=click.IntRange(5, 120), default=28, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--from", "first", default="2026-03-02", show_default=True, metavar="DATE")
@click.option(
    "--profile",
    type=click.Choice(["standard", "contended"]),
    default="standard",
    show_default=True,
    help="contended: a surge of strategy discussions and joint visits over 8 working days on few officers.",
)
@click.option(
    "--relief",
    type=click.Choice(["team", "staggered"]),
    default="team",
    show_default=True,
    help="contended: each hub unit on one relief, or each hub officer on their own offset of the cycle.",
)
@click.option(
    "--leave-rate",
    type=click.FloatRange(0.0, 0.9),
    default=0.0,
    show_default=True,
    help="contended: the share of the surge's duty days that hub officers, caseholders and nurses are on leave.",
)
@click.option(
    "--horizon",
    type=click.IntRange(1, 28),
    default=None,
    metavar="DAYS",
    help="contended: the calendar days the surge spreads over (default: 8 working days).",
)
@click.option(
    "--window",
    default=None,
    metavar="N or LO-HI",
    help="contended: each request's window in working days, e.g. 2 or 1-5 (default: the kinds' deadlines).",
)
@click.option(
    "--optional-rate",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="contended: the share of requests that also invite, optional, a hub officer who knows the family.",
)
@click.option(
    "--hub-units",
    type=click.IntRange(1, 20),
    default=None,
    help="contended: the police units serving the hub (default: 2 at 200 staff, 4 at 500).",
)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def generate(
    staff: int,
    n_requests: int,
    days: int,
    seed: int,
    first: str,
    profile: str,
    relief: str,
    leave_rate: float,
    horizon: int | None,
    window: str | None,
    optional_rate: float,
    hub_units: int | None,
    folder: Path,
) -> None:
    """Write a synthetic partnership FOLDER shaped like the example (for trials and benchmarks)."""
    from scheduler.paths import example_folder
    from scheduler.synthetic.generate import Surge
    from scheduler.synthetic.generate import generate as write

    if folder.exists() and any(folder.iterdir()):
        raise UserError(f"{folder} is not empty: choose a new folder")
    start = values.day(first, "--from", "2026-03-02")
    try:
        surge = Surge(relief, leave_rate, horizon, _window(window), hub_units, optional_rate)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    write(folder, staff, n_requests, days, seed, start, example_folder(), profile, surge)
    shape = f" ({surge.describe()})" if profile == "contended" else ""
    click.echo(f"Wrote {folder}: {staff} staff, {n_requests} {profile} requests{shape} over {days} days (seed {seed})")


def _window(text: str | None) -> tuple[int, int] | None:
    """'2' or '1-5' working days."""
    if text is None:
        return None
    try:
        lo, _, hi = text.partition("-")
        return int(lo), int(hi or lo)
    except ValueError:
        raise UserError(f"--window takes working days such as 2 or 1-5 (got {text!r})") from None


def _seeds(text: str) -> list[int]:
    """'1,2,3' or '1-5'."""
    try:
        if "-" in text:
            lo, hi = (int(x) for x in text.split("-", 1))
            seeds = list(range(lo, hi + 1))
        else:
            seeds = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        seeds = []
    if not seeds or len(seeds) > 50:
        raise UserError(f"--seeds takes numbers such as 1,2,3 or a range such as 1-5 (got {text!r})")
    return seeds


@click.command()
@click.option("--profile", type=click.Choice(["standard", "contended", "both"]), default="both", show_default=True)
@click.option(
    "--variants",
    default="team,staggered,leave",
    show_default=True,
    help="The contended profile's shapes: team (each hub unit one relief), staggered (each hub officer on their "
    "own relief, a month, windows of 1-5 working days), leave (team reliefs, leave on a quarter of duty days).",
)
@click.option("--sizes", default="S,M,L", show_default=True, help="Which of S, M, L (and XL: 2,000 staff) to run.")
@click.option("--seeds", default="1-5", show_default=True, help="Seeds of the generated partnerships: 1,2,3 or 1-5.")
@click.option(
    "--time-scale",
    type=click.FloatRange(0.1, 100),
    default=1.0,
    show_default=True,
    help="Each size's time limit times this (10 for the long run that refreshes the best known schedules).",
)
@click.option(
    "--record-best",
    is_flag=True,
    help="Raise the best known schedules (scheduler/synthetic/best_known.json) with what this run found.",
)
@click.option("--json", "as_json", is_flag=True)
def bench(
    profile: str, variants: str, sizes: str, seeds: str, time_scale: float, record_best: bool, as_json: bool
) -> None:
    """Greedy against CP-SAT on generated partnerships, both against the best known schedule and the bound:
    S (50 staff, 20 requests, 14 days, 10 s), M (200, 80, 28, 10 s), L (500, 200, 28, 30 s),
    XL (2,000, 800, 28, 60 s)."""
    from scheduler.synthetic.bench import PROFILES, SIZES, VARIANTS, record_best_known, summary, table
    from scheduler.synthetic.bench import bench as run

    chosen = [s.strip().upper() for s in sizes.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SIZES]
    if unknown or not chosen:
        raise UserError(f"--sizes takes S, M, L and/or XL (got {sizes!r})")
    shapes = [v.strip() for v in variants.split(",") if v.strip()]
    if not shapes or any(v not in VARIANTS for v in shapes):
        raise UserError(f"--variants takes {', '.join(VARIANTS)} (got {variants!r})")
    profiles = list(PROFILES) if profile == "both" else [profile]
    rows = run(chosen, _seeds(seeds), profiles, shapes, time_scale)
    raised = record_best_known(rows) if record_best else None
    if as_json:
        click.echo(json.dumps({"runs": rows, "summary": summary(rows), "best_known_raised": raised}, indent=2))
    else:
        click.echo(table(rows), nl=False)
        if raised is not None:
            click.echo(f"Best known schedules raised: {raised}")


COMMANDS = (
    generate,
    bench,
)
