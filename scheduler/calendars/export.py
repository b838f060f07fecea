"""Writing the schedule into a folder: invites, cancellations, team and agency calendars.

The folder always holds exactly the current state of the partnership's meetings:
``invites/`` a REQUEST for each meeting that stands, ``cancellations/`` a CANCEL
for each meeting the folder had announced and that is now cancelled, and one
for each attendee it had invited and who has since been dropped, ``teams/`` a
METHOD:PUBLISH calendar per team and agency. Files it wrote before that no
longer belong (a cancelled meeting's old invite, a meeting renamed, a team gone)
are removed; a manifest (``.quorum-manifest.json``) lists what Quorum wrote, by
the meetings' UIDs (never their request ids: attendees read this folder), so
nothing else in the folder is touched. What each attendee was given through
this folder is kept in the ledger (``scheduler.calendars.ledger``), so that
CalDAV or e-mail going out in between hides nothing from it. New versions (UID,
SEQUENCE) are stored before any file is written; files are written atomically
(temporary file, then rename); the ledger records them once every file is
written. A failure anywhere leaves the next export to write the same files with
the same UIDs.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rotas.clock import zone
from rotas.model import Partnership
from scheduler.calendars import ical
from scheduler.calendars.ledger import (
    Version,
    current_versions,
    delivery_row,
    for_one,
    ledger_index,
    meeting_change,
    to_tell,
)
from scheduler.errors import UserError
from scheduler.solver.request_file import stored_entries
from scheduler.store import failures
from scheduler.store.database import Store

CHANNEL = "folder"
MANIFEST = ".quorum-manifest.json"
FOLDERS = ("invites", "cancellations", "teams")
UID_LINE = re.compile(rb"^UID:(.*)\r?$", re.MULTILINE)


@dataclass
class ExportReport:
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (request, person) told they are not needed
    files: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".quorum-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


STRAY_AGE_S = 600  # a temporary file this old is not another export's work in progress


def clear_strays(out: Path) -> None:
    """Remove temporary files an export killed mid-write left behind (never the manifest)."""
    for folder in (out, *(out / sub for sub in FOLDERS)):
        for path in folder.glob(".quorum-*") if folder.is_dir() else []:
            if path.name != MANIFEST and path.is_file() and time.time() - path.stat().st_mtime > STRAY_AGE_S:
                path.unlink(missing_ok=True)


def folder_target(out: Path) -> str:
    """The folder as the ledger knows it: two spellings of one folder are one target."""
    return str(out.expanduser().resolve())


def stored_versions(store: Store, p: Partnership, now: datetime) -> dict[str, Version]:
    entries = stored_entries(store.requests(p.id))
    return current_versions(p, entries, store.meetings(p.id), store.versions(p.id), now, store.uid_key())


def folder_state(
    p: Partnership, versions: list[Version], had: dict[str, dict[str, dict[str, Any]]], tz: ZoneInfo, now: datetime
) -> tuple[dict[str, tuple[str, bytes]], list[dict[str, Any]], ExportReport]:
    """What the folder must hold for ``versions`` ({relative path: (the meeting's UID, bytes)}), the ledger
    rows that record it, and what changed for each meeting since this folder was last written."""
    people = {x.id: x for x in p.people}
    files: dict[str, tuple[str, bytes]] = {}
    rows: list[dict[str, Any]] = []
    report = ExportReport()
    for v in versions:
        mine = had.get(v.request, {})
        tells = to_tell(v, mine)
        change = meeting_change(v, mine, tells)
        if change != "withdrawn":
            getattr(report, change).append(v.request)
        rows += [delivery_row(t, CHANNEL, "", now) for t in tells]
        report.dropped += [(v.request, t.recipient) for t in tells if t.change == "dropped"]
        if not v.cancelled:
            files[f"invites/{v.name}.ics"] = (v.event.uid, ical.invite(v.event, tz, v.sequence, v.stamp))
            for person in sorted(set(mine) - v.people):
                one = for_one(v, person, people)
                files[f"cancellations/{v.name}-{ical.slug(person)}.ics"] = (
                    v.event.uid,
                    ical.invite(one, tz, v.sequence, v.stamp),
                )
        elif mine:
            files[f"cancellations/{v.name}.ics"] = (v.event.uid, ical.invite(v.event, tz, v.sequence, v.stamp))
    return files, rows, report


def _read_manifest(out: Path) -> dict[str, Any]:
    try:
        doc = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"partnerships": {}}
    return doc if isinstance(doc, dict) and isinstance(doc.get("partnerships"), dict) else {"partnerships": {}}


def _listed(held: Any, versions: dict[str, Version]) -> dict[str, str]:
    """The manifest's files of one partnership, {relative path: UID}. The manifest is in the folder attendees
    read, so it names meetings by their UID, never by request id; a manifest an earlier Quorum keyed by
    request id is read through the versions (anything else is kept as "": never carried forward)."""
    if not isinstance(held, dict):
        return {}
    uid_of = {rid: v.event.uid for rid, v in versions.items()}
    uids = set(uid_of.values())
    return {str(rel): key if key in uids else uid_of.get(str(key), "") for rel, key in held.items()}


def _unlisted(out: Path, listed: dict[str, str], uids: set[str]) -> dict[str, str]:
    """Invites and cancellations Quorum wrote here before it kept a manifest: {relative path: UID},
    known by the UID inside (one of this partnership's meetings), so that they are cleared out too."""
    found = {}
    for sub in ("invites", "cancellations"):
        folder = out / sub
        for path in sorted(folder.glob("*.ics")) if folder.is_dir() else []:
            rel = f"{sub}/{path.name}"
            if rel in listed or path.stat().st_size > 1_000_000:
                continue
            data = path.read_bytes()
            if b"PRODID:" + ical.PRODID.encode() not in data:
                continue
            inside = {m.group(1).decode().strip() for m in UID_LINE.finditer(data)}
            if inside and inside <= uids:
                found[rel] = next(iter(inside))
    return found


def _ours(out: Path, rel: str) -> Path | None:
    """A path from the manifest, only if it is one Quorum could have written there (never outside)."""
    parts = Path(rel).parts
    if (
        len(parts) != 2
        or parts[0] not in FOLDERS
        or not parts[1].endswith(".ics")
        or parts[1] != ical.slug(parts[1][:-4]) + ".ics"
    ):
        return None
    return out / parts[0] / parts[1]


def shared_calendars(p: Partnership, team: str | None = None) -> list[tuple[str, str, set[str]]]:
    """(file or collection name, title, members) of each team's calendar, and each agency's unless one team."""
    groups = [
        (f"team-{t.id}", t.name, {x.id for x in p.people if x.team == t.id})
        for t in p.teams
        if team is None or t.id == team
    ]
    if team is None:
        groups += [(f"agency-{a.id}", a.name, {x.id for x in p.people if x.agency == a.id}) for a in p.agencies]
    return groups


def export(
    db_path: Path,
    pid: str | None,
    out: Path,
    team: str | None = None,
    meeting: str | None = None,
    now: datetime | None = None,
) -> ExportReport:
    """Bring the folder ``out`` to the current state (only one team's or one meeting's part if asked)."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        if team is not None and team not in {t.id for t in p.teams}:
            raise UserError(f"no team {team!r} (teams: {', '.join(t.id for t in p.teams)})")
        versions = stored_versions(store, p, now)
        if meeting is not None and meeting not in versions:
            raise UserError(f"no scheduled meeting {meeting!r} (see quorum schedule)")
        tz = zone(p.timezone)
        target = folder_target(out)
        had = ledger_index(store.deliveries(p.id, CHANNEL, target))
        chosen = sorted(versions.values(), key=lambda v: (v.event.start, v.request))
        if meeting is not None:
            chosen = [v for v in chosen if v.request == meeting]
        if team is not None:
            members = {x.id for x in p.people if x.team == team}
            chosen = [v for v in chosen if (v.people | set(had.get(v.request, {}))) & members]
        files, rows, report = folder_state(p, chosen, had, tz, now)
        if meeting is None:
            for name, title, people in shared_calendars(p, team):
                events = [(v.event, v.sequence, v.stamp) for v in chosen if v.people & people]
                files[f"teams/{ical.slug(name)}.ics"] = ("", ical.published(f"{title} (Quorum)", events, tz))
        rows = [{**r, "target": target} for r in rows]
        # The UIDs and SEQUENCEs are fixed before any file carries them: if writing or recording fails, the
        # next export writes the same files with the same UIDs instead of orphaning what attendees imported.
        store.save_versions(p.id, [v.row() for v in chosen if v.fresh])
        try:
            out.mkdir(parents=True, exist_ok=True)
            clear_strays(out)
            manifest = _read_manifest(out)
            old = _listed(manifest["partnerships"].get(p.id), versions)
            old = {**_unlisted(out, old, {v.event.uid for v in versions.values()}), **old}
            whole = team is None and meeting is None
            touched = {v.event.uid for v in chosen}
            # A partial export (one team, one meeting) leaves the rest of the folder as it was.
            kept = {rel: uid for rel, uid in old.items() if not whole and uid not in touched}
            for rel, (_uid, data) in files.items():
                path = out / rel
                write_atomic(path, data)
                report.files.append(path)
            for rel in sorted(set(old) - set(files) - set(kept)):
                stray = _ours(out, rel)
                if stray is not None and stray.exists():
                    stray.unlink()
                    report.removed.append(stray)
            manifest["partnerships"][p.id] = {**kept, **{rel: uid for rel, (uid, _data) in files.items()}}
            write_atomic(out / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
        except OSError as exc:
            raise UserError(
                f"cannot write to {out}: {exc.strerror or exc}; what was written is not recorded as sent: "
                "export again once that is fixed (the same files, with the same UIDs)"
            ) from exc
        try:
            store.record_deliveries(p.id, rows)
        except (UserError, sqlite3.Error) as failed:
            problem = failed if isinstance(failed, UserError) else failures.problem(store.path, failed)
            if problem is None:
                raise
            raise UserError(
                f"the files in {out} were written, but {problem.message[:1].lower()}{problem.message[1:]}; export "
                "again once that is fixed: it writes the same files with the same UIDs and records them",
                problem.details,
            ) from failed
        return report


def export_rota(
    db_path: Path,
    pid: str | None,
    out: Path,
    first: date,
    days: int,
    person: str | None = None,
    team: str | None = None,
) -> Path:
    """Shifts as a calendar file for one person or a team; returns the file written."""
    from rotas.roster import roster
    from scheduler.services.partnership import check_range, select_people

    check_range(days)
    if (person is None) == (team is None):
        raise UserError("give --person or --team")
    with Store.open(db_path) as store:
        p = store.partnership(pid)
    chosen = select_people(p, person=person, team=team)
    tz = zone(p.timezone)
    domain = p.coordinator_email.rsplit("@", 1)[-1]
    shifts = []
    for pid_, days_ in roster(p, first, days, [x.id for x in chosen]).items():
        name = next(x.name for x in chosen if x.id == pid_)
        for d in days_:
            for k, (s, e) in enumerate(d.intervals):
                label = d.label.split(" + ")[k] if " + " in d.label else d.label
                summary = f"{label}: {name}" if team else label
                shifts.append(ical.Shift(f"quorum-shift-{p.id}-{pid_}-{d.date:%Y%m%d}-{k}@{domain}", summary, s, e))
    if person is not None:
        title = p.person(person).name
    else:
        assert team is not None  # one of the two, checked above
        title = p.team(team).name
    path = out / f"rota-{ical.slug(person or f'team-{team}')}.ics"
    try:
        write_atomic(
            path,
            ical.rota(
                f"{title}: rota (Quorum)",
                shifts,
                tz,
                datetime(first.year, first.month, first.day, tzinfo=UTC),
                ical.Person(p.coordinator_name, p.coordinator_email),
            ),
        )
    except OSError as exc:
        raise UserError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    return path
