"""Driving the real app with Textual's Pilot: the day the UI tests open it on, and waiting for it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from textual.pilot import Pilot

# The day the app is opened on (create_app(db, today=TODAY)): a Monday among the example's meetings, three
# weeks after the tests' NOW (tests/conftest.py), when the example was loaded and solved.
TODAY = date(2026, 3, 23)


async def wait_for(pilot: Pilot, condition: Callable[[], object], seconds: float = 60) -> None:
    """Pause until ``condition()`` holds: for what happens off the UI thread (a worker, a server)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.1)


async def settle(pilot: Pilot) -> None:
    """Wait for the screens' workers (not the folder tree's, which watches for ever), then a refresh."""
    app = pilot.app
    mine = [w for w in app.workers if not w.group.startswith("_")]
    if mine:  # an empty list would mean "all of them" to wait_for_complete
        await app.workers.wait_for_complete(mine)
    await pilot.pause()
