"""`quorum request add|edit|rm|list`: the requests to arrange, checked like requests.toml."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal, get_args, get_origin

import click
from pydantic.fields import FieldInfo

from rotas.sane import date_problem, did_you_mean, shown
from scheduler.cli import values
from scheduler.cli.context import Context, pass_ctx
from scheduler.errors import UserError
from scheduler.services import requests
from scheduler.solver.request_file import RequestEntry, entry_json, stored_entries


def _when(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value) if ("T" in value or " " in value) else date.fromisoformat(value)
    except ValueError as exc:
        raise UserError(f"{what} {shown(value)} is not a date (2026-03-24) or date-time (2026-03-24T10:00)") from exc
    problem = date_problem(parsed if not isinstance(parsed, datetime) else parsed.date())
    if problem:
        raise UserError(f"{what}: {problem}")
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


# The request's own keys are options made from its model (the description its help): a key added to
# RequestEntry is an option here without a line of code. Lists and tables (within, invite, slots) are below.
LISTS = ("id", "within", "invite", "slots")
DATES = ("earliest", "latest", "fixed")  # a date or local date-time, checked here first for a plain message


def _scalar_option(name: str, field: FieldInfo) -> Callable[[Any], Any]:
    flag = "--" + name.replace("_", "-")
    kind = field.annotation
    args = get_args(kind)
    choices = [a for a in (args or (kind,)) if get_origin(a) is Literal]
    if get_origin(kind) is Literal or choices:
        values_ = get_args(kind) if get_origin(kind) is Literal else get_args(choices[0])
        return click.option(flag, type=click.Choice(sorted(values_)), help=field.description)
    if kind is bool:
        return click.option(f"{flag}/--no-{name.replace('_', '-')}", default=None, help=field.description)
    if int in (args or (kind,)):
        return click.option(flag, type=int, metavar="N", help=field.description)
    metavar = "DATE" if name in DATES else None
    return click.option(flag, metavar=metavar, help=field.description)


SCALARS = {name: f for name, f in RequestEntry.model_fields.items() if name not in LISTS}


def _request_options(f: Any) -> Any:
    options = [
        *(_scalar_option(name, field) for name, field in SCALARS.items()),
        click.option("--within", type=int, metavar="N", help="Deadline: N working days after --of."),
        click.option("--calendar-days", is_flag=True, help="Count --within in calendar days, not working days."),
        click.option("--of", "of", metavar="REQUEST|DATE", help="What --within counts from."),
        click.option("--invite", multiple=True, metavar="PERSON", help="A required invitee (repeat)."),
        click.option("--optional", multiple=True, metavar="PERSON", help="An optional invitee (repeat)."),
        click.option("--slot", multiple=True, metavar="SPEC", help="A role slot, e.g. team=pvu (repeat)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _spec(base: dict[str, Any], o: dict[str, Any]) -> dict[str, Any]:
    """The entry's keys as given, the options over them (the form builds the same; both checked by the model)."""
    spec = dict(base)
    for key in SCALARS:
        if o.get(key) is not None:
            spec[key] = _when(o[key], f"--{key}") if key in DATES else o[key]
    if o["within"] is not None or o["of"] is not None:
        if o["within"] is None or o["of"] is None:
            raise UserError("give --within N together with --of REQUEST or --of DATE")
        within: dict[str, Any] = {"days" if o["calendar_days"] else "working_days": o["within"]}
        try:
            date.fromisoformat(o["of"])
        except ValueError:
            within["of_request"] = o["of"]
        else:
            within["of_date"] = values.day(o["of"], "--of").isoformat()
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


ALLOW_PAST = click.option(
    "--allow-past", is_flag=True, help="Save it even though its whole window has passed (it will not be placed)."
)


@request.command("add")
@click.argument("request_id")
@_request_options
@ALLOW_PAST
@pass_ctx
def request_add(ctx: Context, request_id: str, allow_past: bool, **options: Any) -> None:
    """Add a request REQUEST_ID (checked like requests.toml; nothing saved unless valid)."""
    if options["kind"] is None or options["case"] is None:
        raise UserError("a new request needs --kind and --case")
    r = requests.put_request(
        ctx.db_path, ctx.partnership_id, _spec({"id": request_id}, options), replace=False, allow_past=allow_past
    )
    click.echo(f"Added {r.id}: {r.label.lower()}, case {r.case}, {r.duration} min")


@request.command("edit")
@click.argument("request_id")
@_request_options
@ALLOW_PAST
@pass_ctx
def request_edit(ctx: Context, request_id: str, allow_past: bool, **options: Any) -> None:
    """Change REQUEST_ID: only the options given change (--invite/--optional/--slot replace their lists)."""
    _, rows, _ = requests.list_requests(ctx.db_path, ctx.partnership_id)
    current = next((r for r in rows if r["id"] == request_id), None)
    if current is None:
        hint = did_you_mean(request_id, [r["id"] for r in rows])
        raise UserError(f"no request {request_id!r}{hint or ' (see quorum request list)'}")
    r = requests.put_request(
        ctx.db_path,
        ctx.partnership_id,
        _spec(entry_json(stored_entries([current])[current["id"]]), options),
        replace=True,
        revision=current["revision"],
        allow_past=allow_past,
    )
    click.echo(f"Changed {r.id}: {r.label.lower()}, case {r.case}, {r.duration} min")
    from scheduler.services.issued import dropped_but_invited  # a sent meeting keeps its invitees

    note = dropped_but_invited(ctx.db_path, ctx.partnership_id, r.id)
    if note:
        click.echo(note)


@request.command("rm")
@click.argument("request_id")
@pass_ctx
def request_rm(ctx: Context, request_id: str) -> None:
    """Remove REQUEST_ID (a meeting already placed for it is marked cancelled)."""
    requests.remove_request(ctx.db_path, ctx.partnership_id, request_id)
    click.echo(f"Removed {request_id}")


@request.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def request_list(ctx: Context, as_json: bool) -> None:
    """List the requests with their state."""
    _, rows, meetings = requests.list_requests(ctx.db_path, ctx.partnership_id)
    entries = stored_entries(rows)
    items = [
        {
            "id": r["id"],
            "source": r["source"],
            "state": (meetings.get(r["id"]) or {}).get("status", "pending"),
            **{k: v for k, v in entry_json(entries[r["id"]]).items() if k != "notes"},
        }
        for r in rows
        if r["id"] in entries
    ]
    if as_json:
        click.echo(json.dumps(items, indent=2))
        return
    if not items:
        click.echo("No requests yet: add one with quorum request add, or list them in requests.toml")
    for item in items:
        click.echo(f"{item['id']:<22} {item['kind']:<22} {item['case']:<10} {item['state']:<11} {item['source']}")


COMMANDS = (request,)
