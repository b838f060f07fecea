"""The schema, as numbered migrations: each step is applied once, in order, inside the write transaction.

Kept apart from the queries so that a new step is added here and nowhere else; a database written by a
newer Quorum (a step this one does not know) is refused rather than guessed at.
"""

from __future__ import annotations

from scheduler.fastimport import without_optional

# sqlite-utils imports pandas and numpy when they are installed (OR-Tools installs them) only to map their
# types to columns, and Quorum never stores either; skipping them saves about half a second at every start.
with without_optional("pandas", "numpy"):
    # Re-exported (the `as` says so to mypy): the store's other modules import it from here, after the skip.
    import sqlite_utils as sqlite_utils
    from sqlite_utils import Migrations

MIGRATIONS = Migrations("quorum")

# Tables rebuilt from the folder on every load; requests and meetings are merged instead.
PARTNERSHIP_TABLES = (
    "agencies",
    "shifts",
    "teams",
    "patterns",
    "people",
    "terms",
    "absences",
    "duty_overrides",
    "busy_calendars",
    "rooms",
)


@MIGRATIONS()
def m0001_partnership(db: sqlite_utils.Database) -> None:
    db.table("partnerships").create(
        {
            "id": str,
            "name": str,
            "timezone": str,
            "bank_holidays": str,
            "extra_bank_holidays": str,
            "coordinator_name": str,
            "coordinator_email": str,
            "settings": str,
            "source": str,
            "loaded_at": str,
        },
        pk="id",
    )
    key = {"partnership": str}
    db.table("agencies").create({**key, "id": str, "name": str, "position": int}, pk=("partnership", "id"))
    db.table("shifts").create(
        {**key, "agency": str, "code": str, "label": str, "start": str, "end": str},
        pk=("partnership", "agency", "code"),
    )
    db.table("teams").create(
        {**key, "id": str, "name": str, "agency": str, "pattern": str, "offset": int, "position": int},
        pk=("partnership", "id"),
    )
    db.table("patterns").create(
        {
            **key,
            "name": str,
            "kind": str,
            "agency": str,
            "anchor": str,
            "days": str,
            "rules": str,
            "bank_holidays": str,
            "term_time_only": int,
            "position": int,
        },
        pk=("partnership", "name"),
    )
    db.table("people").create(
        {
            **key,
            "id": str,
            "name": str,
            "email": str,
            "agency": str,
            "team": str,
            "role": str,
            "grade": str,
            "pattern": str,
            "offset": int,
            "position": int,
        },
        pk=("partnership", "id"),
    )
    db.table("terms").create({**key, "name": str, "start": str, "end": str, "position": int})
    db.table("absences").create({**key, "person": str, "start": str, "end": str, "kind": str, "source": str})
    db.table("duty_overrides").create(
        {**key, "person": str, "date": str, "code": str, "source": str}, pk=("partnership", "person", "date")
    )
    db.table("busy_calendars").create({**key, "person": str, "ics": str}, pk=("partnership", "person"))
    for table in ("terms", "absences"):
        db.table(table).create_index(["partnership"])


@MIGRATIONS()
def m0002_scheduling(db: sqlite_utils.Database) -> None:
    """Agency kinds and rooms (for meeting presets), requests, placed meetings and solver runs."""
    db.table("agencies").add_column("kind", str, not_null_default="other")
    key = {"partnership": str}
    db.table("rooms").create(
        {**key, "id": str, "name": str, "capacity": int, "position": int}, pk=("partnership", "id")
    )
    # A request's spec is its requests.toml entry as JSON: one validator for file, CLI and UI.
    db.table("requests").create(
        {**key, "id": str, "spec": str, "source": str, "position": int}, pk=("partnership", "id")
    )
    db.table("meetings").create(
        {
            **key,
            "request": str,
            "status": str,
            "start": str,
            "end": str,
            "locked": int,
            "room": str,
            "attendees": str,
            "absent": str,
            "alternatives": str,
            "explanation": str,
            "solve": int,
            "updated_at": str,
        },
        pk=("partnership", "request"),
    )
    db.table("solves").create(
        {
            "id": int,
            **key,
            "strategy": str,
            "status": str,
            "objective": float,
            "bound": float,
            "wall_time_s": float,
            "seed": int,
            "started_at": str,
            "summary": str,
        },
        pk="id",
    )


@MIGRATIONS()
def m0003_sent(db: sqlite_utils.Database) -> None:
    """What was sent as calendar invites: UID, SEQUENCE, content hash and the event itself."""
    db.table("sent").create(
        {
            "partnership": str,
            "request": str,
            "uid": str,
            "sequence": int,
            "hash": str,
            "status": str,
            "stamp": str,
            "event": str,
            "sent_at": str,
        },
        pk=("partnership", "request"),
    )


@MIGRATIONS()
def m0004_replies(db: sqlite_utils.Database) -> None:
    """Attendees' answers to invites (iTIP REPLY): accepted, declined, tentative."""
    db.table("replies").create(
        {
            "partnership": str,
            "request": str,
            "person": str,
            "partstat": str,
            "sequence": int,
            "received_at": str,
            "source": str,
        },
        pk=("partnership", "request", "person"),
    )


@MIGRATIONS()
def m0005_ledger(db: sqlite_utils.Database) -> None:
    """One ledger of deliveries beside the meeting versions (what used to be ``sent``).

    ``versions`` holds each meeting's latest issued calendar entry (UID, SEQUENCE, hash, the event);
    ``deliveries`` what each channel's target (a folder, a CalDAV collection, the e-mail relay) gave
    each recipient of it, so that no channel's send hides a change from another. A meeting that had
    gone out is now ``issued`` (it was ``sent``, which said more than was known).
    """
    db.execute("alter table sent rename to versions")
    db.execute("update versions set status = 'confirmed' where status = 'sent'")
    db.execute("update meetings set status = 'issued' where status = 'sent'")
    db.table("deliveries").create(
        {
            "partnership": str,
            "request": str,
            "channel": str,  # folder | caldav | email
            "target": str,  # the folder's path, the collection's URL, or "" for e-mail
            "recipient": str,  # a person's id, or "" for a whole calendar
            "uid": str,
            "sequence": int,
            "status": str,  # request | cancel
            "etag": str,  # CalDAV: the resource's ETag when written, for If-Match
            "href": str,
            "at": str,
        },
        pk=("partnership", "request", "channel", "target", "recipient"),
    )
    db.table("deliveries").create_index(["partnership", "channel", "target"])


@MIGRATIONS()
def m0006_revisions(db: sqlite_utils.Database) -> None:
    """Revisions for optimistic concurrency: a solve remembers what it read and keeps whatever another
    coordinator decided while it ran (a lock, move, cancel, an edited or removed request, a reload)."""
    db.table("requests").add_column("revision", int, not_null_default=0)
    db.table("meetings").add_column("revision", int, not_null_default=0)
    db.table("partnerships").add_column("fingerprint", str, not_null_default="")


@MIGRATIONS()
def m0007_decisions(db: sqlite_utils.Database) -> None:
    """The coordinator's decisions (lock, unlock, move, cancel, request added, changed or removed), each with
    the rows of its request as they were before and after, so the last one can be undone."""
    db.table("decisions").create(
        {
            "id": int,
            "partnership": str,
            "at": str,
            "what": str,
            "request": str,
            "before": str,  # {"meetings": row | null, "requests": row | null}
            "after": str,
            "undone": int,
        },
        pk="id",
        not_null={"partnership", "what", "request"},
        defaults={"undone": 0},
    )
    db.table("decisions").create_index(["partnership", "id"])


@MIGRATIONS()
def m0008_hub_travel(db: sqlite_utils.Database) -> None:
    """A team's travel to hub meetings (teams.toml's hub_travel): null where the folder does not say."""
    db.table("teams").add_column("hub_travel", int)


@MIGRATIONS()
def m0009_mailbox(db: sqlite_utils.Database) -> None:
    """Replies read from mailboxes, and e-mail sent exactly once at worst twice.

    ``replies`` gains who sent each (``sender``: the From address, "" for a file) and whether it was the
    attendee (``verified``), whom a delegated answer names (``delegate``) and the reply's DTSTAMP (``stamp``,
    so an older answer read later does not replace a newer one). ``counters`` holds proposals of a new time
    (iTIP COUNTER). ``outbox`` is each message's intent, written before it is handed to the relay and
    cleared when its delivery is recorded: what a crash may have sent. ``secrets`` holds a random key from
    which a meeting's UID is made before it is first issued (the same in a dry run and the real send).
    """
    import secrets

    replies = db.table("replies")
    replies.add_column("sender", str, not_null_default="")
    replies.add_column("verified", int, not_null_default=1)
    replies.add_column("delegate", str, not_null_default="")
    replies.add_column("stamp", str, not_null_default="")
    db.table("counters").create(
        {
            "partnership": str,
            "request": str,
            "person": str,
            "sequence": int,
            "start": str,  # the time proposed (UTC)
            "end": str,
            "sender": str,
            "verified": int,
            "stamp": str,
            "received_at": str,
            "source": str,
            "status": str,  # open | accepted
        },
        pk=("partnership", "request", "person"),
    )
    db.table("outbox").create(
        {"partnership": str, "request": str, "recipient": str, "uid": str, "sequence": int, "at": str},
        pk=("partnership", "request", "recipient"),
    )
    db.table("secrets").create({"name": str, "value": str}, pk="name")
    db.table("secrets").insert({"name": "uid", "value": secrets.token_hex(32)})


def schema_version() -> int:
    """The version this Quorum writes: the number of migrations it knows."""
    return len(MIGRATIONS._migrations)
