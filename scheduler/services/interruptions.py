"""A solve cut short leaves a note that the next start of Quorum shows (the CLI on stderr, the UI at once).

A solve stores its schedule in one transaction at its end. If its process ends first (the terminal closed,
the machine shut down, a kill), nothing of it is stored and nobody would know it ran. So each solve leaves a
marker beside the database when it starts (``<db>.solves``) and takes it away once it has saved. A marker
whose process has gone is a solve that never finished. A solve stopped by its terminal closing (SIGHUP)
keeps the best schedule found so far and turns its marker into a note saying so.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rotas.clock import zone
from scheduler.today import moment_text

# What the CLI exits with after Ctrl+C (the shell's convention, 128 + SIGINT) and after its terminal
# closed (128 + SIGHUP): not 1, which means a fault in Quorum.
EXIT_INTERRUPTED = 130
EXIT_HANGUP = 129


def _file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".solves")


def _read(db_path: Path) -> dict[str, Any]:
    try:
        data = json.loads(_file(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(db_path: Path, data: dict[str, Any]) -> None:
    path = _file(db_path)
    try:
        if not data:
            path.unlink(missing_ok=True)
            return
        temporary = path.with_name(f"{path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # a note is a courtesy: never a reason for a solve to fail


def started(db_path: Path, now: datetime | None = None) -> str:
    """Mark a solve as running in this process; returns its token for :func:`finished` and :func:`cut_short`."""
    token = f"{os.getpid()}-{(now or datetime.now(UTC)).timestamp():.3f}"
    data = _read(db_path)
    data[token] = {"pid": os.getpid(), "started": (now or datetime.now(UTC)).isoformat(), "note": None}
    _write(db_path, data)
    return token


def finished(db_path: Path, token: str) -> None:
    data = _read(db_path)
    if data.pop(token, None) is not None:
        _write(db_path, data)


def cut_short(db_path: Path, token: str, note: str) -> None:
    """The solve was stopped from outside (its terminal closed): ``note`` is what the next start says."""
    data = _read(db_path)
    entry = data.get(token) or {"pid": os.getpid(), "started": datetime.now(UTC).isoformat()}
    data[token] = {**entry, "note": note}
    _write(db_path, data)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def notes(db_path: Path, timezone: str = "Europe/London") -> list[str]:
    """What the last start must tell: solves cut short or never finished; each told once, then forgotten."""
    data = _read(db_path)
    out, kept = [], {}
    for token, entry in data.items():
        when = _when(entry.get("started"), timezone)
        if entry.get("note"):
            out.append(f"The solve started {when} was cut short: {entry['note']}")
        elif not isinstance(entry.get("pid"), int) or not _alive(entry["pid"]):
            out.append(
                f"The solve started {when} did not finish (Quorum was closed or stopped while it ran): nothing "
                "from it was saved, and the schedule is as it was before it. Solve again to place the requests."
            )
        else:
            kept[token] = entry  # still running, in another window
    if len(kept) != len(data):
        _write(db_path, kept)
    return out


def _when(stamp: Any, timezone: str) -> str:
    try:
        moment = datetime.fromisoformat(str(stamp)).astimezone(zone(timezone))
    except (TypeError, ValueError):
        return "earlier"
    return f"on {moment_text(moment)}"
