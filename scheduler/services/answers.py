"""What attendees answered, beyond accepted or declined, for the coordinator's views of the schedule: an
answer sent by someone other than the attendee (unverified), a delegation and the delegate's own answer,
and proposals of a new time (iTIP COUNTER), which the coordinator may accept by moving the meeting."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from rotas.clock import zone
from rotas.model import Partnership


def annotate(
    doc: dict[str, Any], rows: dict[tuple[str, str], dict[str, Any]], counters: list[dict[str, Any]], p: Partnership
) -> None:
    """Add to each meeting's attendees ``unverified`` (the sender, when not the attendee), ``delegated_to``
    and ``delegate_reply``, and to each meeting its open ``proposals`` (local times)."""
    tz = zone(p.timezone)
    people = {x.id: x for x in p.people}
    by_email = {x.email.lower(): x for x in p.people}
    for m in doc["meetings"]:
        for a in m["attendees"]:
            row = rows.get((m["request"], a["person"]))
            if row is None or row["partstat"] != a.get("reply"):
                continue  # no answer, or one to an older version of the invite
            if not row.get("verified", 1):
                a["unverified"] = row.get("sender") or "someone else"
            if row.get("delegate"):
                delegate = by_email.get(row["delegate"])
                a["delegated_to"] = delegate.name if delegate else row["delegate"]
                theirs = rows.get((m["request"], delegate.id if delegate else row["delegate"]))
                if theirs is not None and theirs["sequence"] >= row["sequence"]:
                    a["delegate_reply"] = theirs["partstat"]
        m["proposals"] = [
            {
                "person": c["person"],
                "name": people[c["person"]].name if c["person"] in people else c["person"],
                "start": datetime.fromisoformat(c["start"]).astimezone(tz).isoformat(),
                "end": datetime.fromisoformat(c["end"]).astimezone(tz).isoformat(),
                "unverified": "" if c.get("verified", 1) else (c.get("sender") or "someone else"),
            }
            for c in counters
            # a proposal of the time the meeting now has was taken (by a move): nothing left to accept
            if c["request"] == m["request"] and datetime.fromisoformat(c["start"]) != datetime.fromisoformat(m["start"])
        ]


def reply_words(a: dict[str, Any]) -> str:
    """An attendee's answer in words for the CLI and the UI: 'accepted', 'delegated to Kwame Asante
    (accepted)', with 'unverified: sent by x@y' when someone else sent it."""
    said = a.get("reply") or ""
    if a.get("delegated_to"):
        said = f"delegated to {a['delegated_to']}" + (f" ({a['delegate_reply']})" if a.get("delegate_reply") else "")
    if a.get("unverified"):
        said += f", unverified: sent by {a['unverified']}"
    return said


def stored_schedule(db_path: Path, pid: str | None) -> dict[str, Any]:
    """``scheduling.stored_schedule`` with the answers' details added (see ``annotate``)."""
    from scheduler.services import scheduling
    from scheduler.store.database import Store

    doc = scheduling.stored_schedule(db_path, pid)
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        rows, counters = store.reply_rows(p.id), store.counters(p.id)
    annotate(doc, rows, counters, p)
    return doc


def accept_proposal(
    db_path: Path, pid: str | None, rid: str, person: str, now: datetime, force: bool = False
) -> dict[str, Any]:
    """Move ``rid`` to the time ``person`` proposed (through the move every move goes through, so its rules
    and its undo apply) and mark the proposal accepted."""
    from scheduler.services import scheduling
    from scheduler.store.database import Store

    with Store.open(db_path) as store:
        p = store.partnership(pid)
        proposal = next((c for c in store.counters(p.id) if c["request"] == rid and c["person"] == person), None)
    if proposal is None:
        from scheduler.errors import UserError

        raise UserError(f"{person} has no open proposal for {rid} (quorum replies reads them)")
    moved = scheduling.move(db_path, pid, rid, to=datetime.fromisoformat(proposal["start"]), now=now, force=force)
    with Store.open(db_path) as store:
        store.settle_counter(store.partnership(pid).id, rid, person)
    return moved
