"""What attendees may read about who cannot come: that they cannot, and a reason only where the
partnership opted that kind of reason in (``share_absence_reasons`` in partnership.toml).

A coordinator sees every reason (``quorum schedule``, the UI), to find a better time. Attendees' copies
(invites, team and agency calendars, CalDAV resources, e-mails) go to other agencies: sickness is health
data (special category under UK GDPR) and is never shared; leave, court dates, training, shifts and other
meetings are the employer's business unless the partnership says otherwise. Even an opted-in reason is
said in fixed words here, never as the coordinator's detail, which can name another meeting's request
(free text that may carry a family's name) or a shift label typed into agencies.toml.
"""

from __future__ import annotations

from typing import Any

from rotas.model import Partnership
from scheduler.solver.explain import ABSENCE_WORDS

CANNOT_ATTEND = "Cannot attend: "
# The coordinator's detail of an absence is ABSENCE_WORDS[kind]: read back to the kind it was.
_ABSENCE_KIND = {words: kind for kind, words in ABSENCE_WORDS.items()}
# What an opted-in reason says to attendees, by kind: fixed words, nothing typed by anyone.
_SAID = {
    "rota": "not on duty then (their rota)",
    "leave": ABSENCE_WORDS["leave"],
    "training": ABSENCE_WORDS["training"],
    "court": ABSENCE_WORDS["court"],
    "busy": ABSENCE_WORDS["busy"],
    "other": ABSENCE_WORDS["other"],
    "meetings": "at another meeting",
}


def reason_kind(absent: dict[str, Any]) -> str:
    """The kind of an absentee's reason, as share_absence_reasons names kinds (``sickness`` for sickness)."""
    reason = absent.get("reason")
    if reason == "absence":
        return _ABSENCE_KIND.get(str(absent.get("detail", "")), "other")
    if reason in ("clash", "travel", "daily_limit"):
        return "meetings"
    if reason == "off_duty":
        return "rota"
    return "unstated"  # settled without them, or nothing kept them away: no reason to share


def shared_kinds(p: Partnership) -> frozenset[str]:
    """The reason kinds this partnership lets attendees read; sickness never, whatever is stored."""
    return frozenset(p.settings.share_absence_reasons) - {"sickness"}


def cannot_attend(absent: dict[str, Any], name: str, shared: frozenset[str]) -> str:
    """One line for attendees: who cannot come, and why only if that kind of reason is shared."""
    line = f"{CANNOT_ATTEND}{name} ({absent['agency']})"
    kind = reason_kind(absent)
    if kind in shared and kind != "sickness":
        line += f": {_SAID[kind]}"
    return line


def scrubbed(description: str) -> str:
    """A description stored by an earlier Quorum (which wrote every reason) without the 'cannot attend'
    lines: it is used again only for a cancellation, which need not say who could not come."""
    return "\n".join(line for line in description.split("\n") if not line.startswith(CANNOT_ATTEND))
