"""Requests as the coordinator manages them: stored specs checked against the partnership, added, changed, removed.

The same checks as a requests.toml file (``solver.requests``), so the CLI, the UI's form and a file agree.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rotas.clock import zone
from rotas.files import record_errors
from rotas.model import Partnership
from rotas.problems import Problem, key_words
from scheduler import today as clock
from scheduler.advice import Step
from scheduler.errors import UserError
from scheduler.solver.request_file import RequestEntry, entry_json, stored_entries
from scheduler.solver.requests import Request, case_problem, check_requests, request_window
from scheduler.store.database import Store


def resolve_stored(p: Partnership, rows: list[dict[str, Any]]) -> tuple[list[Request], list[Problem]]:
    """Stored request specs, checked against the partnership as it is now."""
    problems: list[Problem] = []
    entries: list[RequestEntry | None] = []
    for i, row in enumerate(rows):
        try:
            entries.append(RequestEntry.model_validate(row["spec"]))
        except ValidationError as exc:
            record_errors(exc, "requests", problems, ("requests", i))
            entries.append(None)
    return check_requests(entries, p, "requests", problems), problems


def load_requests(store: Store, p: Partnership) -> list[Request]:
    requests, problems = resolve_stored(p, store.requests(p.id))
    if problems:
        raise UserError(
            "some stored requests no longer fit the partnership",
            [str(x) for x in problems],
            advice=[Step("change each one named, or load the partnership folder again", "edit_request", "ID")],
        )
    return requests


# -- requests --------------------------------------------------------------------------------


def _stripped_id(spec: dict[str, Any]) -> dict[str, Any]:
    """The id stripped as a file's would be, so that it is looked up as it is stored."""
    return {**spec, "id": spec["id"].strip()} if isinstance(spec.get("id"), str) else spec


def check_request(
    p: Partnership, rows: list[dict[str, Any]], spec: dict[str, Any], *, replace: bool
) -> tuple[Request | None, list[tuple[str, str]]]:
    """A request spec checked against the partnership and the other stored requests, saving nothing.

    Returns the resolved request (None if invalid) and its problems as (field, message), the field
    relative to the request (``case``, ``within.of_request``), so a form can show each beside its input.
    """
    ids = {r["id"] for r in rows}
    spec = _stripped_id(spec)
    rid = spec.get("id")
    if replace and rid not in ids:
        return None, [("id", f"no request {rid!r} (see quorum request list)")]
    if not replace and rid in ids:
        return None, [("id", f"request {rid!r} already exists: choose another id, or change that request")]
    others = [r for r in rows if r["id"] != rid]
    requests, problems = resolve_stored(p, [*others, {"id": rid, "spec": spec}])
    prefix = f"requests[{len(others)}]"
    mine = [
        (x.key[len(prefix) :].lstrip(".") or "request", x.message)
        for x in problems
        if x.key and x.key.startswith(prefix)
    ]
    case = spec.get("case")
    if mine and isinstance(case, str) and case.strip() and not any(k == "case" for k, _ in mine):
        # The file's other errors stop the full check; a name in the case field must still be caught at once.
        error = case_problem(case.strip(), p)
        if error:
            mine.append(("case", error))
    if mine:
        return None, mine
    return next(r for r in requests if r.id == rid), []


def window_passed(p: Partnership, r: Request, now: datetime) -> str | None:
    """'its window closed on Fri 06 Mar 2026, before today (Mon 23 Mar 2026)' when the whole of ``r``'s
    window (or its fixed time) is before ``now``: it can never be placed. None otherwise, or while its
    window depends on a meeting not yet placed."""
    tz = zone(p.timezone)
    end = r.fixed + timedelta(minutes=r.duration) if r.fixed else (request_window(r, p) or (None, None))[1]
    if end is None or end > now:
        return None
    what = (
        f"fixed time was {r.fixed.astimezone(tz):%a %d %b %Y %H:%M}"
        if r.fixed
        else f"window closed on {(end - timedelta(minutes=1)).astimezone(tz):%a %d %b %Y}"
    )
    return f"its {what}, before today ({now.astimezone(tz):%a %d %b %Y})"


def put_request(
    db_path: Path,
    pid: str | None,
    spec: dict[str, Any],
    *,
    replace: bool,
    revision: int | None = None,
    now: datetime | None = None,
    allow_past: bool = False,
) -> Request:
    """Add (or with ``replace``, change) a request after the same checks as requests.toml.

    ``revision`` is the changed request's revision as the coordinator read it (``list_requests``): if
    someone else changed it since, nothing is saved. Without it, the revision read here is used. A request
    whose whole window is before ``now`` could never be placed: refused unless ``allow_past`` (the UI asks
    first; the CLI's --allow-past), so that it is not saved without a word and found "overdue" later.
    """
    spec = _stripped_id(spec)
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        rows = store.requests(p.id)
        request, problems = check_request(p, rows, spec, replace=replace)
        if request is None:
            rid = spec.get("id")
            if len(problems) == 1 and problems[0][0] == "id":  # unknown or taken: the message says it all
                raise UserError(problems[0][1])
            raise UserError(
                f"request {rid!r} is not valid; nothing was saved",
                [f"{key_words(key)}: {message}" for key, message in problems],
            )
        passed = None if allow_past else window_passed(p, request, now or clock.now())
        if passed is not None:
            raise UserError(
                f"{request.id}: {passed}, so it could never be placed; nothing was saved",
                advice=[
                    Step("give it later dates", "edit_request", None, ("earliest", "latest")),
                    Step("or save it anyway, to keep it on record (it will not be placed)", "save_past"),
                ],
            )
        expect = None
        if replace:
            expect = revision if revision is not None else next(r["revision"] for r in rows if r["id"] == request.id)
        store.put_request(p.id, request.id, entry_json(request.entry), expect=expect)
        return request


def remove_request(db_path: Path, pid: str | None, rid: str, now: datetime | None = None) -> None:
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        rows = store.requests(p.id)
        if rid not in {r["id"] for r in rows}:
            raise UserError(f"no request {rid!r} (see quorum request list)")
        dependants = [
            other for other, e in stored_entries(rows).items() if e.within is not None and e.within.of_request == rid
        ]
        if dependants:
            raise UserError(f"{', '.join(dependants)} must follow {rid}: change or remove them first")
        store.delete_request(p.id, rid, now or datetime.now(UTC))


def list_requests(
    db_path: Path, pid: str | None
) -> tuple[Partnership, list[dict[str, Any]], dict[str, dict[str, Any]]]:
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        return p, store.requests(p.id), store.meetings(p.id)
