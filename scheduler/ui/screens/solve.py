"""Solve: the solver in a worker thread with live progress; cancel keeps the best schedule so far.

The time limit is a field here, remembered between runs (settings.toml); quitting while a solve runs asks
first and then says what it is doing, and a solve that never finished is told at the next start
(``services.interruptions``).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from scheduler.errors import UserError, why
from scheduler.services import interruptions, scheduling, settings
from scheduler.services.describe import outcome_text, solver_details
from scheduler.ui.advice import error_text, key
from scheduler.ui.screens.base import UsesServices
from scheduler.ui.widgets.nav import NavBar

if TYPE_CHECKING:
    from scheduler.solver.cpsat import Progress


class SolveScreen(UsesServices, Screen[None]):
    BINDINGS = [
        Binding("g", "start", "Solve", id="solve_start"),
        Binding("x", "cancel", "Stop (keep best so far)", id="solve_cancel"),
        Binding("i", "details", "Solver details", id="solve_details"),
        Binding("escape", "leave_field", "Leave field", show=False, id="solve_leave_field"),
    ]
    AUTO_FOCUS = ""  # the keys g, x and i, not the time limit's box (Tab goes there)
    details = False  # the solver's own figures (objective, bound, gap): for whoever tunes it, not for arranging

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("solve")
        yield Static(id="intro", classes="title")
        with Horizontal(classes="field"):
            yield Label("Time limit (s)", classes="field-label")
            yield Input(f"{self.services.solve_seconds:g}", id="limit", type="number", compact=True)
        yield Static(id="limit-error", classes="field-error", markup=False)
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
        self.quitting = False  # stopping because the coordinator quit: the app exits when it has saved
        self.started = 0.0
        self.limit = 0.0
        self.token: str | None = None  # the solve's marker (services.interruptions)
        self.outcome: tuple[dict[str, Any] | None, str | None] | None = None  # set by the worker once the solve ended
        self.best: Progress | None = None
        self.last: dict[str, Any] | None = None

    def on_mount(self) -> None:
        self.set_interval(0.25, self.show_progress)
        self.query_one("#progress", Static).update("Not running")
        self.query_one("#limit-error").display = False
        self.query_one("#result").display = False  # an empty box until there is a result
        self.query_one("#intro", Static).update(
            f"Press {key(self.app, 'solve_start')} to place the pending requests; x stops and keeps the best so far. "
            "A solve ends sooner once its schedule is proven the best; Tab changes the time limit (kept for next time)."
        )

    def action_leave_field(self) -> None:
        self.set_focus(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.set_focus(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.time_limit()

    def time_limit(self) -> float | None:
        """The limit typed in the box, or None (with the reason beside it) if it is not one."""
        text = self.query_one("#limit", Input).value.strip()
        error = self.query_one("#limit-error", Static)
        try:
            value: float | None = float(text)
        except ValueError:
            value = None
        problem = settings.solve_seconds_problem(value) if value is not None else "give a number of seconds"
        error.update(f"! {problem}" if problem else "")
        error.display = bool(problem)
        return None if problem else value

    def action_start(self) -> None:
        if self.running:
            self.notify("The solver is already running")
            return
        limit = self.time_limit()
        if limit is None:
            self.notify("Not started: the time limit is not one (see beside it)", severity="warning")
            return
        if limit != self.services.solve_seconds:
            self.services.solve_seconds = limit
            try:
                settings.remember(solve_seconds=limit)
            except UserError as exc:  # a broken settings file: say so, solve anyway
                self.notify(f"The time limit was not remembered: {exc.message}", severity="warning", timeout=10)
        self.running = True
        self.quitting = False
        self.best = None
        self.outcome = None
        self.limit = limit
        self.cancel_event.clear()
        self.started = time.monotonic()
        self.app.solving = self
        self.token = interruptions.started(self.services.db_path)
        self.query_one("#result", Static).update("")
        self.set_focus(None)
        self.run_solver()

    def action_cancel(self) -> None:
        if self.running:
            self.cancel_event.set()
            self.notify(self.stopping_words())

    def stopping_words(self) -> str:
        return "Stopping the solve and keeping the best schedule found so far (it stops at its next step)..."

    def stop_and_quit(self) -> None:
        """Quit once the solve has stopped and saved; until then the screen says what it is doing."""
        self.quitting = True
        self.cancel_event.set()
        self.query_one("#progress", Static).update(f"{self.stopping_words()} Quorum closes when it is saved.")
        self.notify(f"{self.stopping_words()} Quorum closes when it is saved.", timeout=30)

    @work(thread=True, exclusive=True, group="solve")
    def run_solver(self) -> None:
        services = self.services
        job = scheduling.SolveRequest(time_limit_s=self.limit, alternatives=2)
        doc: dict[str, Any] | None = None
        error: str | None = None
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
            error = error_text(exc, self.app)
        except Exception as exc:  # keep the app alive, tell the coordinator
            error = f"the solve failed ({why(exc)}); nothing was saved. This is a fault in Quorum: please report it"
        if self.token is not None:
            interruptions.finished(services.db_path, self.token)
        self.outcome = (doc, error)
        self.app.call_from_thread(self.finished, doc, error)

    def on_progress(self, progress: Progress) -> None:
        """Called from the solver's thread: only record; the timer redraws on the UI thread."""
        self.best = progress

    def show_progress(self) -> None:
        if not self.running or self.quitting:
            return
        elapsed = time.monotonic() - self.started
        best = self.best
        line = f"Running {elapsed:5.1f} s of at most {self.limit:g} s"
        if best is not None:
            line += f": {best.placed} placed so far"
            if self.details:
                line += f"   (objective {best.objective:,.0f}, bound {best.bound:,.0f})"
        if self.cancel_event.is_set():
            line += "; stopping, the best so far is kept"
        self.query_one("#progress", Static).update(line)

    def action_details(self) -> None:
        self.details = not self.details
        self.query_one("#figures", Static).display = self.details and self.last is not None

    def finished(self, doc: dict[str, Any] | None, error: str | None) -> None:
        self.running = False
        if self.app.solving is self:
            self.app.solving = None
        if self.quitting:
            said = (
                f"The solve was stopped when you quit; the best schedule found so far was saved: {outcome_text(doc)}"
                if doc is not None
                else f"The solve was stopped when you quit; nothing was saved: {error}"
            )
            self.app.exit(message=said)
            return
        if error is not None:
            self.query_one("#progress", Static).update("Stopped")
            self.notify(error, severity="error", timeout=10)
            return
        assert doc is not None
        self.last = doc
        total = len(doc["meetings"]) + len(doc["unscheduled"])
        stopped = "Stopped" if self.cancel_event.is_set() else "Done"
        self.query_one("#progress", Static).update(f"{stopped} in {doc['wall_time_s']:.1f} s")
        result = self.query_one("#result", Static)
        result.update(f"{outcome_text(doc)} Press {key(self.app, 'schedule')} to see the schedule.")
        result.display = True
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
