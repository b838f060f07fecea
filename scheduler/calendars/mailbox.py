"""Replies as they arrive: calendar files, e-mails (.eml), mbox files and Maildir folders, read only.

A calendar program answers an invitation by e-mail: Outlook a message whose ``text/calendar;
method=REPLY`` part is the answer ("Accepted: ..."), Gmail the same with ``invite.ics`` attached as well,
Thunderbird a calendar part and an ``.ics`` attachment. Each message here gives the calendars it holds
(the same one in two parts counted once) with the address it came from, to be compared with the
attendee it answers for. Nothing here changes a mailbox: Maildir messages stay in ``new/`` unflagged, an
mbox is read without being locked or rewritten. Messages that hold no calendar (most mail) are left alone
and counted; a file the coordinator named that holds none is reported.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import mailbox as stdlib_mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date
from email.message import EmailMessage
from pathlib import Path

from scheduler.calendars.netlimits import MESSAGE_CAP

FILE_CAP = 1_000_000  # bytes: an .ics reply is a few kilobytes; anything near this is not one
MAILBOX_CAP = 2_000_000_000  # bytes: an mbox this size is a whole archive, not the coordinator's replies
CALENDAR_TYPES = ("text/calendar", "application/ics", "text/x-vcalendar")


@dataclass(frozen=True)
class Found:
    """One calendar found in a source, and who sent it (None for a bare .ics file: no sender to compare)."""

    source: str
    data: bytes
    sender: str | None
    named: bool  # a file the coordinator named (not a message in a mailbox)


@dataclass
class Reading:
    found: list[Found]
    problems: list[tuple[str, str, bool]]  # (source, why, named): could not be read as a reply at all
    left_alone: int = 0  # messages in a mailbox with no calendar in them (ordinary mail)


def sender_of(msg: EmailMessage) -> str | None:
    """The From address, lower-cased (the first one, if a message names several)."""
    pairs = email.utils.getaddresses([str(msg.get("From", ""))])
    address = next((addr for _name, addr in pairs if "@" in addr), None)
    return address.lower() if address else None


def calendars_in(msg: EmailMessage) -> list[bytes]:
    """Every calendar part of a message, decoded, each distinct one once (Gmail and Thunderbird send the
    same calendar inline and attached)."""
    out: list[bytes] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        name = (part.get_filename() or "").lower()
        if kind not in CALENDAR_TYPES and not name.endswith((".ics", ".ifb", ".vcs")):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            text = payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            text = payload.decode("utf-8", "replace")
        data = text.lstrip("\ufeff").encode("utf-8")
        if data not in out:
            out.append(data)
    return out


def tnef(msg: EmailMessage) -> bool:
    """Outlook's own wrapping (winmail.dat), which hides the calendar from every other program."""
    return any(p.get_content_type() == "application/ms-tnef" for p in msg.walk())


def parse_message(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def message_date(msg: EmailMessage) -> date | None:
    try:
        when = email.utils.parsedate_to_datetime(str(msg.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).date()


def from_message(reading: Reading, source: str, data: bytes, named: bool, since: date | None) -> None:
    """Add what one e-mail holds to ``reading``."""
    if len(data) > MESSAGE_CAP:
        reading.problems.append((source, f"{len(data):,} bytes, too large to be a reply", named))
        return
    msg = parse_message(data)
    if since is not None and not named:
        day = message_date(msg)
        if day is not None and day < since:
            return
    found = calendars_in(msg)
    if not found:
        if tnef(msg):
            reading.problems.append(
                (source, "Outlook sent it as winmail.dat (rich text), which hides the calendar: ask the sender's "
                 "IT to send calendar replies as iCalendar, or have them answer again", named)
            )  # fmt: skip
        elif named:
            reading.problems.append((source, "an e-mail with no calendar in it, so not an answer", True))
        else:
            reading.left_alone += 1
        return
    sender = sender_of(msg)
    reading.found += [Found(source, cal, sender, named) for cal in found]


def _sniff(head: bytes) -> str:
    if b"\x00" in head:
        return "binary"
    text = head.lstrip(b"\xef\xbb\xbf \r\n\t").upper()
    if text.startswith(b"BEGIN:VCALENDAR"):
        return "ics"
    if text.startswith(b"FROM "):
        return "mbox"
    return "eml"


def read_local(paths: list[Path], since: date | None = None) -> Reading:
    """Calendars from each path: an .ics file, an e-mail, an mbox file, a Maildir, or a folder of files."""
    reading = Reading([], [])
    for path in paths:
        shown = str(path)
        try:
            if path.is_dir():
                _folder(reading, path, since)
                continue
            if not path.is_file():
                reading.problems.append((shown, "no such file or folder", True))
                continue
            size = path.stat().st_size
            with path.open("rb") as f:
                kind = _sniff(f.read(4096))
            if kind == "mbox":
                if size > MAILBOX_CAP:
                    reading.problems.append((shown, f"an mbox of {size:,} bytes: give the replies' folder", True))
                    continue
                for key, data in _mbox(path):
                    from_message(reading, f"{path.name} #{key}", data, False, since)
            elif size > (FILE_CAP if kind == "ics" else MESSAGE_CAP):
                reading.problems.append((shown, f"the file is {size:,} bytes, too large to be a reply", True))
            elif kind == "binary":
                reading.problems.append((shown, "not a text file, so not an iCalendar reply or an e-mail", True))
            elif kind == "ics":
                reading.found.append(Found(shown, path.read_bytes(), None, True))
            else:
                from_message(reading, shown, path.read_bytes(), True, since)
        except OSError as exc:
            reading.problems.append((shown, f"cannot read it ({exc.strerror or exc})", True))
    return reading


def _folder(reading: Reading, path: Path, since: date | None) -> None:
    if (path / "cur").is_dir() and (path / "new").is_dir():
        box = stdlib_mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(box.keys()):  # iterkeys reads nothing and flags nothing
            sub = "new" if (path / "new" / key).exists() else "cur"
            from_message(reading, f"{path.name}/{sub}/{key}", box.get_bytes(key), False, since)
        return
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".ics", ".eml"))
    if not files:
        reading.problems.append((str(path), "a folder that is neither a Maildir (cur/, new/) nor holds .ics or "
                                 ".eml files", True))  # fmt: skip
        return
    inside = read_local(files, since)
    reading.found += inside.found
    reading.problems += inside.problems
    reading.left_alone += inside.left_alone


def _mbox(path: Path) -> Iterator[tuple[str, bytes]]:
    box = stdlib_mailbox.mbox(path, factory=None, create=False)
    try:
        for key in box.iterkeys():
            yield str(int(key) + 1), box.get_bytes(key)  # an mbox's keys are ints (typeshed says str)
    finally:
        box.close()
