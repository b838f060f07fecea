"""The ``quorum`` command: a thin face over ``scheduler.services``.

Exit codes: 0 success, 2 bad input (with a message saying what to fix), 1 an
internal error, 130 stopped by Ctrl+C, 129 the terminal closed during a solve. Set
QUORUM_DEBUG=1 to see the traceback of an internal error.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from rotas import addresses
from rotas.clock import zone
from rotas.problems import InputError
from rotas.sane import printable
from scheduler import today as clock
from scheduler.advice import cli_text
from scheduler.cli import arrange, render, requests, send, tools, values, whatif
from scheduler.cli.context import Context, pass_ctx
from scheduler.errors import UserError
from scheduler.paths import ENV_DB, example_folder
from scheduler.services import partnership as services
from scheduler.services.interruptions import EXIT_INTERRUPTED

Command = TypeVar("Command", bound=Callable[..., Any])

DEMO_FROM = date(2026, 3, 23)  # a fortnight with a clock change and Good Friday in it
DEMO_DAYS = 14


def _date(value: str) -> date:
    return values.day(value, "--from")


# --help lists the commands by what a coordinator is doing, in the order they do it; the tools for
# testing and tuning (bench, generate, schema) come last, apart.
SECTIONS = {
    "Start": ("demo", "check", "load", "tui"),
    "Arrange meetings": ("request", "solve", "schedule", "move", "lock", "unlock", "cancel", "undo", "history"),
    "Look at rotas": ("availability", "overlap", "standing", "whatif"),
    "Tell people": ("export", "publish", "send", "replies"),
    "Tools for testing and tuning": ("bench", "generate", "schema"),
}


class Sectioned(click.Group):
    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        known = {name for names in SECTIONS.values() for name in names}
        sections = [*SECTIONS.items(), ("Other", tuple(n for n in self.list_commands(ctx) if n not in known))]
        width = formatter.width - 6 - max(len(n) for n in self.list_commands(ctx))
        for title, names in sections:
            rows = [
                (name, cmd.get_short_help_str(width))
                for name in names
                if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden
            ]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


@click.group(cls=Sectioned, context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.option("--db", metavar="PATH", help=f"Database file (default: ${ENV_DB}, else your user data folder).")
@click.option(
    "--partnership",
    envvar="QUORUM_PARTNERSHIP",
    metavar="ID",
    help="Which loaded partnership to use, when the database holds more than one.",
)
@click.option(
    "--today",
    envvar=clock.ENV_TODAY,
    metavar="DATE",
    help=f"Take DATE as today (also ${clock.ENV_TODAY}): solving places nothing before it, notice and "
    "deadlines count from it. For replaying a past fortnight, such as the bundled example's March 2026.",
)
@click.version_option(package_name="quorum")
@click.pass_context
def cli(ctx: click.Context, db: str | None, partnership: str | None, today: str | None) -> None:
    """Quorum: rota-aware scheduling for multi-agency safeguarding meetings.

    With no command, opens the terminal UI on the database (quorum tui).
    """
    clock.freeze(clock.parse(today, "--today") if today else None)
    ctx.obj = Context(db, partnership)
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def check(folder: Path) -> None:
    """Check a partnership FOLDER and list every problem, one a line."""
    partnership, problems, requests = services.check_folder(folder)
    if problems:
        for p in problems:
            click.echo(printable(str(folder / p.file) + str(p)[len(p.file) :]))
        click.echo(f"{plural(len(problems), 'problem')} found in {folder}", err=True)
        sys.exit(2)
    click.echo(f"{folder}: no problems found")
    assert partnership is not None
    warnings = services.missing_agencies(partnership, requests) + services.past_requests(
        partnership, requests, clock.now()
    )
    for warning in warnings:
        click.echo(printable(f"{folder / 'requests.toml'}: warning: {warning}"))
    people = [(x.id, x.email) for x in partnership.people]
    for rel, warning in addresses.warnings_for(partnership.coordinator_email, people):
        click.echo(printable(f"{folder / rel}: warning: {warning}"))


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@pass_ctx
def load(ctx: Context, folder: Path) -> None:
    """Check a partnership FOLDER, then store it (replacing any earlier load of it)."""
    summary = services.load(ctx.db_path, folder)
    click.echo(summary.line())


def _range_options(f: Command) -> Command:
    f = click.option(
        "--days", type=click.IntRange(1, services.MAX_DAYS), default=14, show_default=True, help="How many days."
    )(f)
    f = click.option(
        "--from",
        "first",
        required=True,
        metavar="DATE",
        callback=lambda c, p, v: _date(v),
        help="First day, e.g. 2026-03-23.",
    )(f)
    return f


@cli.command("availability")
@_range_options
@click.option("--person", metavar="ID", help="One person (id or full name).")
@click.option("--team", metavar="ID", help="Everyone in a team.")
@click.option("--agency", metavar="ID", help="Everyone in an agency.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (times in ISO 8601 with UTC offset).")
@pass_ctx
def availability_cmd(
    ctx: Context, first: date, days: int, person: str | None, team: str | None, agency: str | None, as_json: bool
) -> None:
    """Each person's on-duty times (rota, duty sheets, minus absences) in local time."""
    if sum(x is not None for x in (person, team, agency)) > 1:
        raise UserError("choose at most one of --person, --team and --agency")
    p = services.open_partnership(ctx.db_path, ctx.partnership_id)
    rows = services.person_availability(p, first, days, services.select_people(p, person, team, agency))
    tz = zone(p.timezone)
    if as_json:
        click.echo(json.dumps(render.availability_json(rows, p.id, tz, first, days), indent=2))
    else:
        click.echo(render.availability_text(rows, tz, first, days), nl=False)


@cli.command("overlap")
@_range_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def overlap_cmd(ctx: Context, first: date, days: int, as_json: bool) -> None:
    """Hours each pair of agencies and of teams are on duty together."""
    p = services.open_partnership(ctx.db_path, ctx.partnership_id)
    report = services.overlap_report(p, first, days)
    if as_json:
        click.echo(json.dumps(render.overlap_json(report, p.id), indent=2))
    else:
        click.echo(render.overlap_text(report, p.name), nl=False)


@cli.command()
@click.option(
    "--time-limit",
    type=click.FloatRange(1, 600),
    metavar="SECONDS",
    help="Seconds the solver may take (default: as for quorum solve).",
)
@click.option(
    "--work-limit",
    type=click.FloatRange(0.1, 1e6),
    metavar="UNITS",
    help="Solve to a deterministic work limit instead (as quorum solve --work-limit): the same output every run.",
)
@click.option("--no-ui", is_flag=True, help="Print the overlap table and the solved fortnight instead of the UI.")
def demo(time_limit: float | None, work_limit: float | None, no_ui: bool) -> None:
    """Load the bundled example into a temporary database and open the UI on it.

    Without a terminal (or with --no-ui) it prints the overlap table and the example's
    fortnight solved instead, so the demo also works in scripts and CI logs.
    """
    from scheduler.cli import running
    from scheduler.services import scheduling
    from scheduler.services.settings import read_settings

    clock.freeze(DEMO_FROM)  # the example's fortnight is 'now': its requests are not in the past
    seconds = time_limit if time_limit is not None else read_settings().solve_seconds
    with tempfile.TemporaryDirectory(prefix="quorum-demo-") as tmp:
        db = Path(tmp) / "demo.db"
        summary = services.load(db, example_folder())
        if not no_ui and sys.stdin.isatty() and sys.stdout.isatty():
            from scheduler.ui import create_app, hangups

            # 'Today' is the example's fortnight, so its deadlines, rotas and heatmap read as they would then.
            hangups.run(create_app(db, today=DEMO_FROM, demo=True, solve_seconds=time_limit))
            return
        click.echo(summary.line())
        click.echo()
        p = services.open_partnership(db)
        click.echo(render.overlap_text(services.overlap_report(p, DEMO_FROM, DEMO_DAYS), p.name), nl=False)
        click.echo()
        if work_limit is not None and time_limit is None:
            seconds = max(60.0, 10.0 * work_limit)  # the clock only a safety stop, as for quorum solve
        job = scheduling.SolveRequest(time_limit_s=seconds, alternatives=1, deterministic_limit=work_limit)
        run = running.solve(db, None, job)
        if run.doc is not None and not run.hung_up:
            click.echo(render.schedule_text(run.doc), nl=False)
        running.after(run)


@cli.command()
@pass_ctx
def tui(ctx: Context) -> None:
    """Open the terminal UI on the database (a welcome screen offers to load a folder when it is empty)."""
    from scheduler.ui import create_app, hangups

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError("the terminal UI needs a terminal; for scripts, use the commands in quorum --help")
    if ctx.partnership_id is not None or len(services.loaded_partnerships(ctx.db_path)) > 1:
        services.open_partnership(ctx.db_path, ctx.partnership_id)  # unknown id, or which one: a clear message
    hangups.run(create_app(ctx.db_path, ctx.partnership_id))


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the JSON Schemas into.",
)
def schema(out: Path) -> None:
    """Write the JSON Schemas of the partnership files (for editor validation)."""
    from scheduler.services.schemas import write_schemas

    for path in write_schemas(out):
        click.echo(str(path))


for _command in (*requests.COMMANDS, *arrange.COMMANDS, *send.COMMANDS, *tools.COMMANDS, *whatif.COMMANDS):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI, mapping errors to exit codes without tracebacks for user mistakes."""
    try:
        code = cli.main(args=argv, prog_name="quorum", standalone_mode=False)
    except InputError as exc:  # a UserError, or bad data found by the rotas while working
        click.echo(printable(f"Error: {getattr(exc, 'message', exc)}"), err=True)
        for line in getattr(exc, "details", ()):
            click.echo(printable(line), err=True)
        for step in getattr(exc, "advice", ()):
            click.echo(printable(f"  - {cli_text(step)}"), err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort as exc:
        # Click turns Ctrl+C, and the end of input at a prompt, into Abort: neither is a fault in Quorum.
        if isinstance(exc.__cause__, EOFError):
            click.echo("Error: no answer was given (the input ended); nothing was changed", err=True)
            sys.exit(2)
        _stopped()
    except KeyboardInterrupt:
        _stopped()
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            _internal(exc)
        # Another writer held the database past the busy timeout: the transaction was rolled back.
        click.echo(
            "Error: the database is busy (another coordinator or a solve is saving); nothing was changed, "
            "try again in a moment",
            err=True,
        )
        sys.exit(2)
    except Exception as exc:
        _internal(exc)
    sys.exit(code if isinstance(code, int) else 0)


def _stopped() -> None:
    """Ctrl+C: the exit code says so (130, the shell's convention), not 1, which means a fault in Quorum. A
    change to the database is saved whole or not at all (one transaction), so none is left half-made."""
    click.echo("Stopped by Ctrl+C.", err=True)
    sys.exit(EXIT_INTERRUPTED)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _internal(exc: Exception) -> None:
    if os.environ.get("QUORUM_DEBUG"):
        raise exc
    click.echo(
        f"Internal error: {type(exc).__name__}: {exc}. This is a fault in Quorum, not in your "
        "files; set QUORUM_DEBUG=1 to see the details.",
        err=True,
    )
    sys.exit(1)
