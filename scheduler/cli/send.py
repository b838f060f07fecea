"""Sending the schedule: `export` (invites, team calendars, rotas), `publish` to CalDAV, and reading `replies`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from scheduler.cli.context import Context, pass_ctx
from scheduler.errors import UserError


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
    from scheduler.calendars.export import export as write

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
    from scheduler.calendars.export import export_rota as write

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
    from scheduler.calendars.replies import read_replies

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

    from scheduler.calendars.publish import publish as put

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


COMMANDS = (
    export,
    replies,
    publish,
)
