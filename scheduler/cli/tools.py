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
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def generate(staff: int, n_requests: int, days: int, seed: int, first: str, profile: str, folder: Path) -> None:
    """Write a synthetic partnership FOLDER shaped like the example (for trials and benchmarks)."""
    from scheduler.paths import example_folder
    from scheduler.synthetic.generate import generate as write

    if folder.exists() and any(folder.iterdir()):
        raise UserError(f"{folder} is not empty: choose a new folder")
    start = values.day(first, "--from", "2026-03-02")
    write(folder, staff, n_requests, days, seed, start, example_folder(), profile)
    click.echo(f"Wrote {folder}: {staff} staff, {n_requests} {profile} requests over {days} days (seed {seed})")


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
@click.option("--sizes", default="S,M,L", show_default=True, help="Which of S, M, L (and XL: 2,000 staff) to run.")
@click.option("--seeds", default="1-5", show_default=True, help="Seeds of the generated partnerships: 1,2,3 or 1-5.")
@click.option("--json", "as_json", is_flag=True)
def bench(profile: str, sizes: str, seeds: str, as_json: bool) -> None:
    """Greedy against CP-SAT, and both against the limit, on generated partnerships: S (50 staff, 20 requests,
    14 days, 10 s), M (200, 80, 28, 10 s), L (500, 200, 28, 30 s), XL (2,000, 800, 28, 60 s)."""
    from scheduler.synthetic.bench import PROFILES, SIZES, summary, table
    from scheduler.synthetic.bench import bench as run

    chosen = [s.strip().upper() for s in sizes.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SIZES]
    if unknown or not chosen:
        raise UserError(f"--sizes takes S, M, L and/or XL (got {sizes!r})")
    profiles = list(PROFILES) if profile == "both" else [profile]
    rows = run(chosen, _seeds(seeds), profiles)
    if as_json:
        click.echo(json.dumps({"runs": rows, "summary": summary(rows)}, indent=2))
    else:
        click.echo(table(rows), nl=False)


COMMANDS = (
    generate,
    bench,
)
