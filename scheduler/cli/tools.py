"""Measuring: `generate` a synthetic partnership and `bench` greedy against CP-SAT on generated ones."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from scheduler.errors import UserError


@click.command()
@click.option("--staff", type=click.IntRange(10, 5000), default=200, show_default=True)
@click.option("--requests", "n_requests", type=click.IntRange(1, 2000), default=80, show_default=True)
@click.option("--days", type=click.IntRange(5, 120), default=28, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--from", "first", default="2026-03-02", show_default=True, metavar="DATE")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def generate(staff: int, n_requests: int, days: int, seed: int, first: str, folder: Path) -> None:
    """Write a synthetic partnership FOLDER shaped like the example (for trials and benchmarks)."""
    from scheduler.paths import example_folder
    from scheduler.synthetic.generate import generate as write

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
    from scheduler.synthetic.bench import SIZES, table
    from scheduler.synthetic.bench import bench as run

    chosen = [s.strip().upper() for s in sizes.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SIZES]
    if unknown or not chosen:
        raise UserError(f"--sizes takes S, M and/or L (got {sizes!r})")
    rows = run(chosen, seed)
    click.echo(json.dumps(rows, indent=2) if as_json else table(rows), nl=not as_json)


COMMANDS = (
    generate,
    bench,
)
