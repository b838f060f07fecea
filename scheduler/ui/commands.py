"""The command palette's search: requests, cases and people, each with what a coordinator would do next.

Found by the same words as the lists' / search (``services.search``): a request by its id, case or an
invitee's name; a case by its reference; a person by name, role, team or agency. Choosing one opens it
where it is shown; the screens' actions (solve, write, undo...) are the app's system commands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import Hit, Hits, Provider

from scheduler.errors import UserError
from scheduler.services.search import Entry, index, matches

if TYPE_CHECKING:
    from scheduler.ui.app import QuorumApp

IN_SCHEDULE = ("placed", "issued", "unscheduled")


class QuorumFinder(Provider):
    entries: list[Entry]
    if TYPE_CHECKING:  # the app as Quorum's own, for the type checker only (at run time it is Provider's)

        @property
        def app(self) -> QuorumApp:  # type: ignore[override]  # App is invariant: no App[None] narrows App[object]
            ...

    async def startup(self) -> None:
        app = self.app
        self.entries = []
        if not getattr(app, "loaded", False):
            return
        services = app.services
        try:
            self.entries = await asyncio.to_thread(index, services.db_path, services.partnership)
        except UserError:
            self.entries = []  # the screens say what is wrong; the palette still switches screens

    def commands(self, entry: Entry) -> list[tuple[str, Callable[[], Awaitable[None]], str]]:
        """(what it says, what it does, help) for one entry: the first is the one most wanted."""
        app = self.app
        if entry.kind == "request":
            out: list[tuple[str, Callable[[], Awaitable[None]], str]] = [
                (
                    f"{entry.title}",
                    partial(app.open_request, entry.key, entry.state),
                    entry.detail,
                ),
                (
                    f"Change request {entry.key}",
                    partial(app.change_request, entry.key),
                    "Open it in the request form",
                ),
            ]
            if entry.state in ("placed", "issued"):
                out.append(
                    (
                        f"Cancel the meeting for {entry.key}",
                        partial(app.cancel_meeting, entry.key),
                        "Asks first; the invitees are told with the next export",
                    )
                )
            return out
        if entry.kind == "case":
            return [
                (
                    entry.title,
                    partial(app.search_in, "requests", entry.key),
                    entry.detail,
                )
            ]
        name = entry.title.rsplit(" (", 1)[0]
        return [
            (entry.title, partial(app.search_in, "rotas", name), f"{entry.detail}: their rota"),
            (
                f"Meetings with {name}",
                partial(app.search_in, "schedule", name),
                "The schedule, only the meetings they are invited to",
            ),
        ]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self.entries:
            # Its own words first ("osei" finds Kwame Osei), then what it holds (an invitee's name finds the
            # request), then letters in order ("kosei"), so a loose match never buries an exact one.
            # (The matcher's scores are not bounded: the tiers are far apart instead.)
            fuzzy = matcher.match(entry.title)
            if query.strip().casefold() == entry.key.casefold():  # a case's reference: the case before its requests
                score = 2000.0
            elif matches(query, [entry.title]):
                score = 1000 + fuzzy
            elif matches(query, entry.fields):
                score = 500.0
            else:
                score = min(fuzzy, 400.0)
            for i, (text, command, help_text) in enumerate(self.commands(entry)):
                # An action asked for in words ("cancel jv-10482") comes before everything else.
                asked = i and matches(query, [text]) and not matches(query, [entry.title])
                own = 3000 + matcher.match(text) if asked else score - 0.01 * i
                if own > 0:
                    shown = matcher.highlight(text) if own >= 1000 else text
                    yield Hit(own, shown, command, text=text, help=help_text)
