"""Sending the schedule: `export` (invites, team calendars, rotas), `publish` to CalDAV, `send` by e-mail,
and reading `replies`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from scheduler.cli import values
from scheduler.cli.context import Context, pass_ctx
from scheduler.errors import UserError

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar  # the type click.progressbar returns, named only there

    from scheduler.calendars.replies import RepliesReport


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
    assert ctx is not None, "the quorum group sets the Context before any command runs"
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
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--imap", "host", metavar="HOST[:PORT]", help="Read the coordinator's IMAP mailbox too (over TLS).")
@click.option("--user", help="User name on the IMAP server.")
@click.option(
    "--password-env",
    metavar="VAR",
    help="Environment variable holding the mailbox's password (else you are asked; never on the command line).",
)
@click.option("--mailbox", default="INBOX", show_default=True, help="Which IMAP folder holds the replies.")
@click.option(
    "--security",
    type=click.Choice(["tls", "starttls"]),
    default="tls",
    show_default=True,
    help="tls (implicit, port 993) or starttls (port 143).",
)
@click.option("--cafile", type=click.Path(dir_okay=False, exists=True, path_type=Path), help="The hub's CA.")
@click.option("--since", metavar="DATE", help="Every message from DATE, read or not (default: unread ones only).")
@pass_ctx
def replies(
    ctx: Context,
    paths: tuple[Path, ...],
    host: str | None,
    user: str | None,
    password_env: str | None,
    mailbox: str,
    security: str,
    cafile: Path | None,
    since: str | None,
) -> None:
    """Record attendees' answers from .ics and .eml files, mbox files, Maildir folders or an IMAP mailbox.

    Each answer is judged on its own: recorded, already known, or refused with the reason. Nothing in a
    mailbox is changed (not marked read, never deleted). quorum schedule shows the answers.
    """
    from scheduler.calendars.imap import ImapBox
    from scheduler.calendars.mail import split_address
    from scheduler.calendars.replies import REFUSED, read_replies

    if not paths and not host:
        raise UserError("give the replies: .ics or .eml files, an mbox file, a Maildir folder, or --imap HOST")
    day = values.day(since, "--since") if since else None
    box = None
    if host:
        try:
            name, port = split_address(host)
        except UserError as exc:
            raise UserError(f"--imap {exc.message}") from exc
        if not user:
            raise UserError("give --user, the mailbox's user name, with --imap")
        password = secret(password_env, user, name) or ""
        box = ImapBox(name, user, password, port, security, mailbox, cafile, day)
    report = read_replies(ctx.db_path, ctx.partnership_id, list(paths), imap=box, since=day)
    for line in replies_table(report):
        click.echo(line)
    refused = [o for o in report.outcomes if o.outcome == REFUSED and o.named]
    if refused:
        raise UserError(
            f"{len(refused)} answer(s) in the files given were refused (the others were recorded)",
            [f"{o.source}: {o.note}" for o in refused],
        )


def replies_table(report: RepliesReport) -> list[str]:
    """The answers read, one a line: what became of each and why, then how to accept a proposed time."""
    from zoneinfo import ZoneInfo

    from scheduler.calendars.replies import KNOWN, RECORDED, REFUSED

    counts = ", ".join(f"{report.count(w)} {w}" for w in (RECORDED, KNOWN, REFUSED))
    lines = [f"Read {len(report.outcomes)} answers: {counts}"]
    if report.left_alone:
        lines[0] += f"; {report.left_alone} other messages left alone"
    width = max([len(o.source) for o in report.outcomes] + [6])
    for o in report.outcomes:
        what = f"{o.request}: {o.who} {o.answer}".strip(": ") if o.request else ""
        tail = "; ".join(x for x in (what, o.note) if x)
        lines.append(f"  {o.outcome:<13} {o.source:<{min(width, 40)}}  {tail}")
    for o in report.outcomes:
        if o.proposal is not None and o.outcome != REFUSED:
            lines.append(
                f"To accept {o.who}'s proposed time for {o.request}: quorum move {o.request} --to "
                f"{o.proposal[0].astimezone(ZoneInfo(report.timezone)):%Y-%m-%dT%H:%M}"
            )
    return lines


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
        # Typed here: click.prompt returns Any in the click releases CI may have.
        password: str = click.prompt(f"Password for {user} on {what}", hide_input=True)
        return password
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
    if report.conflicts or report.deleted:
        said = []
        if report.conflicts:
            said.append(f"{len(report.conflicts)} resources were changed on the server since Quorum wrote them")
        if report.deleted:
            said.append(f"{len(report.deleted)} were deleted on the server since Quorum wrote them")
        raise UserError(
            f"{' and '.join(said)}; they were left as they are (publish with --overwrite to write Quorum's "
            "version over them, or put back the deleted ones)",
            [f"changed: {x}" for x in report.conflicts] + [f"deleted: {x}" for x in report.deleted],
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
    bars: list[ProgressBar[int]] = []  # the progress bar, made when the number of messages is known (on a terminal)

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
