"""The app's screens, their keys and what each is for: the bar under the title, the app's bindings and
the command palette are all built from this one list."""

from __future__ import annotations

# (mode, key, title, what the command palette says it does)
SCREENS = [
    ("dashboard", "d", "Dashboard", "Requests by state and deadline; attendance by agency"),
    ("requests", "a", "Requests", "The meetings to arrange: add, change, remove"),
    ("rotas", "r", "Rotas", "Who is on which shift, week by week"),
    ("overlap", "o", "Overlap", "Heatmap: when are the agencies on duty together?"),
    ("solve", "v", "Solve", "Place the pending requests with the solver"),
    ("schedule", "s", "Schedule", "Placed meetings: inspect, move, lock, cancel"),
    ("export", "e", "Export", "Write invites and team calendars, or publish to CalDAV"),
    ("whatif", "t", "What if", "Compare the rotas with a scenario's changes; a report for the board"),
]
