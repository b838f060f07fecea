"""`quorum whatif SCENARIO`: the partnership as it is and as a scenario would make it, side by side."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from scheduler.cli import values
from scheduler.cli.context import Context, pass_ctx
from scheduler.services import whatif as service
from scheduler.services.whatif_text import comparison_text


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "first", metavar="DATE", help="First day compared (default: today).")
@click.option(
    "--days", type=click.IntRange(1, 366), default=service.DEFAULT_DAYS, show_default=True, help="Days compared."
)
@click.option(
    "--work-limit",
    type=click.FloatRange(0.1, 1000),
    default=service.DEFAULT_WORK_LIMIT,
    show_default=True,
    metavar="UNITS",
    help="Deterministic work each solve may do: the same data, seeds and limit give the same answer.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(5, 3600),
    default=service.DEFAULT_TIME_LIMIT,
    show_default=True,
    help="Seconds for the whole comparison, both sides: a safety stop (said when it cuts in).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="The first seed.")
@click.option(
    "--seeds",
    type=click.IntRange(1, 5),
    default=2,
    show_default=True,
    help="Seeds each side is solved with, to tell the change from the solver's own variation.",
)
@click.option("--fortnight", metavar="DATE", help="The Monday the typical fortnight starts (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON (docs/whatif.md).")
@click.option(
    "--report",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Also write a report for a partnership board (Markdown and HTML, with charts) into DIR.",
)
@pass_ctx
def whatif(
    ctx: Context,
    scenario: Path,
    first: str | None,
    days: int,
    work_limit: float,
    time_limit: float,
    seed: int,
    seeds: int,
    fortnight: str | None,
    as_json: bool,
    report: Path | None,
) -> None:
    """What if the rota changed? Compare the partnership with a SCENARIO file's changes (docs/whatif.md)."""
    job = service.WhatIfJob(
        scenario=scenario,
        first=values.day(first, "--from") if first else None,
        days=days,
        seed=seed,
        seeds=seeds,
        work_limit=work_limit,
        time_limit_s=time_limit,
        fortnight=values.day(fortnight, "--fortnight") if fortnight else None,
    )
    if report is not None:
        from scheduler.services.whatif_report import check_folder

        check_folder(report)  # before the work: a folder that cannot be written is said at once
    bar = _Bar() if sys.stderr.isatty() else None
    try:
        doc = service.compare(ctx.db_path, ctx.partnership_id, job, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    if report is not None:
        from scheduler.services.whatif_report import write_report

        written = write_report(doc, report)
        click.echo(f"Report written: {written}", err=True)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(comparison_text(doc), nl=False)


class _Bar:
    """A progress bar on the terminal (stderr), made when the number of steps is known."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int, what: str) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Comparing", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.label = what[:40].ljust(40)
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


COMMANDS = (whatif,)
