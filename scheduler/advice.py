"""Advice: what a coordinator can do about a problem, written once and said the way each face works.

A reason a request could not be placed, or an error, carries Steps: *what* to do, in words any screen can
show ("give it new dates"), and *how*, as one of a few kinds of action (change some fields of a request,
remove it, move or unlock a meeting, solve for longer, choose the mail security...). The command line says
a kind as a command (``command`` here); the terminal UI says it as its keys, fields and buttons
(``scheduler.ui.advice``). So the UI never names a command-line flag, the CLI never names a key, and the
words of the advice are in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# The kinds of action a Step may name, and the request fields ``edit_request`` may ask to change.
HOWS = (
    "edit_request",  # change some fields of a request (``fields``; ``value`` a suggested value); without
    # ``request``, of the one being added or changed (the options of the same command; the form's fields)
    "remove_request",
    "move_meeting",  # move a placed meeting elsewhere (and lock it there), or unlock it so a solve may
    "place_meeting",  # put a request that was not placed at a time the coordinator chooses
    "unlock_meeting",
    "solve",  # solve again
    "solve_longer",  # solve again with a longer time limit
    "solve_period",  # solve a shorter period (the CLI's --from and --days)
    "mail_security",  # connect to the mail relay another way (``value`` starttls, tls or none; ``port``)
    "mail_no_user",  # the relay takes no login: send without a user name
    "mail_cafile",  # trust the hub's own certificate authority
    "publish_overwrite",  # replace events someone edited on the CalDAV server
    "save_past",  # save a request whose window has passed all the same
)
FIELDS = ("earliest", "latest", "within", "allow_off_duty", "invite", "venue", "fixed")


@dataclass(frozen=True)
class Step:
    what: str  # in words for any screen: "give it new dates"
    how: str | None = None  # one of HOWS, or None when the words are the whole of it
    request: str | None = None  # the request or meeting it concerns
    fields: tuple[str, ...] = ()  # for edit_request: which of FIELDS
    value: str | None = None  # a suggested value (a date-time, a person, a security setting)
    port: int | None = None  # for mail_security

    def __post_init__(self) -> None:
        assert self.how is None or self.how in HOWS, self.how
        assert all(f in FIELDS for f in self.fields), self.fields

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"what": self.what}
        for key in ("how", "request", "value", "port"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.fields:
            out["fields"] = list(self.fields)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> Step:
        """A stored step (or a plain suggestion stored before steps existed, shown as it was)."""
        if isinstance(data, str):
            return cls(data)
        how = data.get("how") if data.get("how") in HOWS else None
        return cls(
            str(data.get("what", "")),
            how,
            data.get("request"),
            tuple(f for f in data.get("fields", ()) if f in FIELDS),
            data.get("value"),
            data.get("port"),
        )


def steps(items: Sequence[Step | str]) -> list[Step]:
    return [x if isinstance(x, Step) else Step(x) for x in items]


# -- the command line's way of saying them ------------------------------------------------------------

_FLAGS = {
    "earliest": "--earliest DATE",
    "latest": "--latest DATE",
    "within": "--within N --of REQUEST",
    "allow_off_duty": "--allow-off-duty",
    "invite": "--invite PERSON (each one)",
    "venue": "--venue virtual",
    "fixed": "--fixed DATETIME",
}


def command(step: Step) -> str | None:
    """The command (or option) that does ``step``, as a coordinator types it; None if words are all there is."""
    rid = step.request or "ID"
    match step.how:
        case "edit_request":
            flags = []
            for name in step.fields:
                flag = _FLAGS[name]
                if step.value and name in ("latest", "earliest", "fixed"):
                    flag = f"{flag.split()[0]} {step.value}"
                elif step.value and name == "invite":
                    flag = f"--invite {step.value} (with the others kept)"
                flags.append(flag)
            if step.request is None:
                return " ".join(flags)
            return f"quorum request edit {rid} {' '.join(flags) or 'with the options to change'}"
        case "remove_request":
            return f"quorum request rm {rid}"
        case "move_meeting":
            return f"quorum move {rid} --to DATETIME, or quorum unlock {rid}"
        case "place_meeting":
            return f"quorum move {rid} --to DATETIME"
        case "unlock_meeting":
            return f"quorum unlock {rid}"
        case "solve":
            return "quorum solve"
        case "solve_longer":
            return "quorum solve --time-limit SECONDS"
        case "solve_period":
            return "quorum solve --from DATE --days N"
        case "mail_security":
            port = f" with the relay's port {step.port} (--smtp HOST:{step.port})" if step.port else ""
            return f"--security {step.value}{port}"
        case "mail_no_user":
            return "leave out --user"
        case "mail_cafile":
            return "--cafile FILE"
        case "publish_overwrite":
            return "quorum publish --overwrite"
        case "save_past":
            return "--allow-past"
    return None


def cli_text(step: Step) -> str:
    """'give it new dates (quorum request edit sd-1 --earliest DATE --latest DATE)'."""
    how = command(step)
    return f"{step.what} ({how})" if how else step.what
