"""What an edit to a request does not do by itself once its meeting has gone out.

An issued meeting (its invite sent through any channel) stays where it is, with the attendees it was
sent to, like a locked one: editing its request changes what the next placing will do, not the invite.
Someone taken off such a request stays invited until the meeting is placed again; the coordinator is
told how, rather than left to find that nobody was told.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rotas.clock import zone
from scheduler.services.requests import resolve_stored
from scheduler.store.calendar_records import ISSUED
from scheduler.store.database import Store


def dropped_but_invited(db_path: Path, pid: str | None, rid: str) -> str | None:
    """A note when ``rid``'s meeting has gone out and invites people its request no longer names."""
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        meeting = store.meetings(p.id).get(rid)
        rows = store.requests(p.id)
    if meeting is None or meeting["status"] != ISSUED or not meeting["start"]:
        return None
    request = next((r for r in resolve_stored(p, rows)[0] if r.id == rid), None)
    if request is None:
        return None
    wanted = {person for person, _required in request.invitees}
    wanted |= {c for slot in request.slots for c in slot.candidates}
    sent = [a["person"] for a in meeting["attendees"] or []] + [x["person"] for x in meeting["absent"] or []]
    names = {x.id: x.name for x in p.people}
    gone = [names.get(x, x) for x in dict.fromkeys(sent) if x not in wanted]
    if not gone:
        return None
    when = datetime.fromisoformat(meeting["start"]).astimezone(zone(p.timezone))
    return (
        f"{rid}'s invite has gone out, so {', '.join(gone)} stay invited until it is placed again: "
        f"quorum move {rid} --to {when:%Y-%m-%dT%H:%M} keeps its time and tells them they are no longer needed "
        f"with the next export or send (or quorum solve --reschedule {rid} lets it move)"
    )
