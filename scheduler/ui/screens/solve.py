"""Solve: the solver in a worker thread with live progress; cancel keeps the best schedule so far."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from scheduler.errors import UserError
from scheduler.services import scheduling
from scheduler.services.describe import outcome_text, solver_details
from scheduler.ui.screens.base import UsesServices
from scheduler.ui.widgets.nav import NavBar

if TYPE_CHECKING:
    from scheduler.solver.cpsat import Progress


class SolveScreen(UsesServices, Screen[None]):
    BINDINGS = [
        Binding("g", "start", "Solve", id="solve_start"),
        Binding("x", "cancel", "Stop (keep best so far)", id="solve_cancel"),
        Binding("i", "details", "Solver details", id="solve_details"),
    ]
    details = False  # the solver's own figures (objective, bound, gap): for whoever tunes it, not for arranging

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("solve")
        seconds = self.services.solve_seconds
        yield Static(
            f"Press g to place the pending requests (up to {seconds:g} s); x stops and keeps the best so far.",
            classes="title",
        )
        yield Static(id="progress", classes="panel", markup=False)
        yield Static(id="result", classes="panel", markup=False)
        figures = Static(id="figures", classes="panel", markup=False)
        figures.display = False
        yield figures
        yield Footer(compact=True)

    def __init__(self) -> None:
        super().__init__()
        self.cancel_event = threading.Event()
        self.running = False
        self.started = 0.0
        self.best: Progress | None = None
        self.last: dict | None = None

    def on_mount(self) -> None:
        self.set_interval(0.25, self.show_progress)
        self.query_one("#progress", Static).update("Not running")

    def action_start(self) -> None:
        if self.running:
            self.notify("The solver is already running")
            return
        self.running = True
        self.best = None
        self.cancel_event.clear()
        self.started = time.monotonic()
        self.query_one("#result", Static).update("")
        self.run_solver()

    def action_cancel(self) -> None:
        if self.running:
            self.cancel_event.set()
            self.notify("Stopping at the next solution; the best so far is kept")

    @work(thread=True, exclusive=True, group="solve")
    def run_solver(self) -> None:
        services = self.services
        job = scheduling.SolveRequest(time_limit_s=services.solve_seconds, alternatives=2)
        try:
            doc = scheduling.solve(
                services.db_path,
                services.partnership,
                job,
                now=services.now,
                progress=self.on_progress,
                cancel=self.cancel_event,
            )
        except UserError as exc:
            self.app.call_from_thread(self.finished, None, exc.message)
        except Exception as exc:  # keep the app alive, tell the coordinator
            self.app.call_from_thread(self.finished, None, f"the solver failed: {type(exc).__name__}: {exc}")
        else:
            self.app.call_from_thread(self.finished, doc, None)

    def on_progress(self, progress: Progress) -> None:
        """Called from the solver's thread: only record; the timer redraws on the UI thread."""
        self.best = progress

    def show_progress(self) -> None:
        if not self.running:
            return
        elapsed = time.monotonic() - self.started
        best = self.best
        line = f"Running {elapsed:5.1f} s"
        if best is not None:
            line += f": {best.placed} placed so far"
            if self.details:
                line += f"   (objective {best.objective:,.0f}, bound {best.bound:,.0f})"
        self.query_one("#progress", Static).update(line)

    def action_details(self) -> None:
        self.details = not self.details
        self.query_one("#figures", Static).display = self.details and self.last is not None

    def finished(self, doc: dict | None, error: str | None) -> None:
        self.running = False
        if error is not None:
            self.query_one("#progress", Static).update("Stopped")
            self.notify(error, severity="error", timeout=10)
            return
        assert doc is not None
        self.last = doc
        total = len(doc["meetings"]) + len(doc["unscheduled"])
        self.query_one("#progress", Static).update(f"Done in {doc['wall_time_s']:.1f} s")
        self.query_one("#result", Static).update(f"{outcome_text(doc)} Press s to see the schedule.")
        figures = self.query_one("#figures", Static)
        figures.update(solver_details(doc))
        figures.display = self.details
        if doc.get("not_saved"):
            kept = ", ".join(x["request"] for x in doc["not_saved"][:6])
            more = f" and {len(doc['not_saved']) - 6} more" if len(doc["not_saved"]) > 6 else ""
            self.notify(
                f"Changed by someone else while solving, kept as they left them: {kept}{more}. "
                "Solve again to fit the rest around them.",
                severity="warning",
                timeout=15,
            )
        self.notify(f"Placed {len(doc['meetings'])} of {total} requests")
