"""Sending the schedule: `export` (invites, team calendars, rotas), `publish` to CalDAV, `send` by e-mail,
and reading `replies`."""

from __future__ import annotations

from pathlib import Path

import click

from scheduler.cli import values
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
        f"Wrote {len(report.files)} files to {Path(out).resolve()}: "
        f"{len(report.new)} new, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.cancelled)} cancelled, "
        f"{len(report.dropped)} attendees told they are no longer needed; "
        f"{len(report.removed)} out-of-date files removed"
    )
    for what in ("new", "updated", "cancelled"):
        for rid in getattr(report, what):
            click.echo(f"  {what}: {rid}")
    for rid, person in report.dropped:
        click.echo(f"  no longer needed: {person} at {rid}")


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

    start = values.day(first, "--from")
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


def secret(env: str | None, user: str | None, what: str) -> str | None:
    """A password from the named environment variable, or typed at a prompt; never an argument."""
    import os
    import sys

    if env:
        value = os.environ.get(env)
        if value is None:
            raise UserError(f"the environment variable {env} is not set")
        return value
    if user:
        if not sys.stdin.isatty():
            raise UserError("give --password-env VAR: there is no terminal to ask for the password")
        return click.prompt(f"Password for {user} on {what}", hide_input=True)
    return None


PASSWORD_ENV_HELP = "Environment variable holding the password (else you are asked; never on the command line)."


@click.command()
@click.option("--url", required=True, help="The CalDAV server (its calendar home is found from there).")
@click.option("--user", help="User name on the server.")
@click.option("--password-env", metavar="VAR", help=PASSWORD_ENV_HELP)
@click.option("--overwrite", is_flag=True, help="Replace resources edited on the server since Quorum wrote them.")
@pass_ctx
def publish(ctx: Context, url: str, user: str | None, password_env: str | None, overwrite: bool) -> None:
    """Put each team's and agency's meetings into a CalDAV calendar, updating in place."""
    from scheduler.calendars.publish import check_url, safe_url
    from scheduler.calendars.publish import publish as put

    check_url(url)
    password = secret(password_env, user, safe_url(url))
    report = put(ctx.db_path, ctx.partnership_id, url, user, password, overwrite=overwrite)
    click.echo(
        f"Published to {len(report.collections)} calendars ({len(report.created)} created): "
        f"{len(report.new)} new, {len(report.changed)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.cancelled)} cancelled; {report.updated} resources written, "
        f"{report.removed} removed from calendars they no longer concern"
    )
    if report.conflicts:
        raise UserError(
            f"{len(report.conflicts)} resources were changed on the server since Quorum wrote them and were left "
            "as they are (publish with --overwrite to replace them)",
            report.conflicts,
        )


@click.command()
@click.option("--smtp", "host", metavar="HOST[:PORT]", help="The hub's mail relay (or set QUORUM_SMTP).")
@click.option(
    "--security",
    type=click.Choice(["starttls", "tls", "none"]),
    default="starttls",
    show_default=True,
    help="starttls (port 587), tls (implicit, port 465), or none (port 25; no password allowed).",
)
@click.option("--user", help="User name on the relay, if it asks for one.")
@click.option("--password-env", metavar="VAR", help=PASSWORD_ENV_HELP)
@click.option("--cafile", type=click.Path(dir_okay=False, exists=True, path_type=Path), help="The hub's CA.")
@click.option("--dry-run", is_flag=True, help="List what would be sent, send nothing.")
@pass_ctx
def send(
    ctx: Context,
    host: str | None,
    security: str,
    user: str | None,
    password_env: str | None,
    cafile: Path | None,
    dry_run: bool,
) -> None:
    """E-mail each attendee their invitation, update or cancellation (iMIP), each change once."""
    import os
    import sys

    from scheduler.calendars import mail as deliver_words
    from scheduler.calendars.mail import Relay, split_address
    from scheduler.calendars.mail import send as deliver

    host = host or os.environ.get("QUORUM_SMTP")
    relay = None
    if not dry_run:
        if not host:
            raise UserError("give --smtp HOST[:PORT], the hub's mail relay (or set QUORUM_SMTP), or --dry-run")
        try:
            name, port = split_address(host)
        except UserError as exc:
            raise UserError(f"--smtp {exc.message}") from exc
        password = secret(password_env, user, name)
        relay = Relay(name, port, security, user, password, cafile)
    bars: list = []  # the progress bar, made when the number of messages is known (only on a terminal)

    def progress(done: int, total: int) -> None:
        if not bars and sys.stderr.isatty():
            bars.append(click.progressbar(length=total, label="Sending", file=sys.stderr))
        if bars:
            bars[0].update(1)

    try:
        report = deliver(ctx.db_path, ctx.partnership_id, relay, dry_run=dry_run, progress=progress)
    finally:
        if bars:
            bars[0].render_finish()
    if dry_run:
        click.echo(f"Would send {len(report.planned)} messages:")
        for x in report.planned:
            click.echo(f"  {x.change}: {x.name} to {x.email}")
        return
    click.echo(f"Sent {len(report.sent)} of {len(report.planned)} messages")
    for x in report.sent:
        click.echo(f"  {x.change}: {x.name} to {x.email}")
    if report.repeated:
        click.echo(
            f"{len(report.repeated)} of them may have gone already in a run that was cut short after the relay "
            "took them: they went again with the same UID, SEQUENCE and Message-ID, which calendar programs "
            "take as the same invitation"
        )
    if report.unrecorded or report.stopped:
        raise UserError(
            deliver_words.stopped(report),
            [f"{x.email} ({x.name}): accepted by the relay, not recorded" for x in report.unrecorded]
            + [f"{x.email} ({x.name}): not tried" for x in report.unsent],
        )
    if report.refused or report.unsent:
        problems = [f"{x.email} ({x.name}): {why}" for x, why in report.refused]
        problems += [f"{x.email} ({x.name}): not tried" for x in report.unsent]
        raise UserError(
            f"{len(report.refused) + len(report.unsent)} messages were not sent; they stay unsent, so run "
            "quorum send again once the problem is fixed",
            problems,
        )


COMMANDS = (
    export,
    replies,
    publish,
    send,
)
