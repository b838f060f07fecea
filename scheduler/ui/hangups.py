"""Closing the terminal while the UI solves (SIGHUP): stop the solve, keep the best schedule found so far,
leave a note that the next start shows, and end.

Without this the process died at once: the solve's work was lost and nothing said so. The handler runs on
the main thread, where the UI's event loop is; the solve's thread saves on its own meanwhile (it only
needs the event loop after saving, to show its result on a screen nobody can see any more).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import TYPE_CHECKING, Any

from scheduler.services import interruptions

if TYPE_CHECKING:
    from scheduler.ui.app import QuorumApp


def exit_now(code: int) -> None:
    """End the process without Textual's tidying up: its terminal has gone. (Tests replace this.)"""
    os._exit(code)


def hang_up(app: QuorumApp, *_signal: Any) -> None:
    solving = app.solving
    if solving is not None and solving.running:
        solving.cancel_event.set()
        # Up to the time limit and a margin: the solve stops at its next solution, then saves.
        deadline = time.monotonic() + solving.limit + 20
        while solving.outcome is None and time.monotonic() < deadline:
            time.sleep(0.1)
        doc, _error = solving.outcome or (None, None)
        if doc is not None and solving.token is not None:
            total = len(doc["meetings"]) + len(doc["unscheduled"])
            interruptions.cut_short(
                app.services.db_path,
                solving.token,
                f"its terminal closed; the best schedule found so far was saved (placed {len(doc['meetings'])} "
                f"of {total} requests)",
            )
    exit_now(interruptions.EXIT_HANGUP)


def run(app: QuorumApp) -> None:
    """Run the app with the hang-up handled, as the ``quorum`` command does (not in tests, where the
    process is pytest's)."""
    previous = None
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGHUP"):
        previous = signal.signal(signal.SIGHUP, lambda *s: hang_up(app, *s))
    try:
        app.run()
    finally:
        if previous is not None:
            signal.signal(signal.SIGHUP, previous)
