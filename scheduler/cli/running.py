"""A solve at the terminal: progress as it runs, Ctrl+C stops it and keeps the best found so far, and a
closed terminal (SIGHUP) does the same and leaves a note for the next start.

The solve runs in a thread with the service's own progress callback and cancel event; the main thread
waits, draws the progress line (on a terminal only) and takes the signals, which Python delivers to it.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scheduler.services import interruptions, scheduling

if TYPE_CHECKING:
    from scheduler.solver.cpsat import Progress


@dataclass
class Run:
    doc: dict[str, Any] | None = None
    error: BaseException | None = None
    interrupted: bool = False  # Ctrl+C
    hung_up: bool = False  # the terminal closed
    progress: list[Progress] = field(default_factory=list)


def _say(text: str) -> None:
    with contextlib.suppress(OSError):  # the terminal has gone
        click.echo(text, err=True)


def placed_text(doc: dict[str, Any]) -> str:
    total = len(doc["meetings"]) + len(doc["unscheduled"])
    return f"placed {len(doc['meetings'])} of {total} requests"


def solve(db_path: Path, pid: str | None, job: scheduling.SolveRequest) -> Run:
    """Solve as ``scheduling.solve`` does, the way a coordinator at a terminal expects; the caller prints
    the result and exits with :data:`interruptions.EXIT_INTERRUPTED` when ``run.interrupted``."""
    run = Run()
    cancel = threading.Event()

    done = threading.Event()

    def work() -> None:
        try:
            run.doc = scheduling.solve(db_path, pid, job, progress=run.progress.append, cancel=cancel)
        except BaseException as exc:  # handed to the main thread, which raises it
            run.error = exc
        finally:
            done.set()

    live = sys.stderr.isatty()

    def hang_up(_signum: int, _frame: object) -> None:
        run.hung_up = True
        cancel.set()

    def interrupt(_signum: int, _frame: object) -> None:
        """Ctrl+C while solving: stop the search, which keeps the best found; a second one only says why
        it takes a moment (the schedule is being saved, whole or not at all)."""
        cancel.set()
        if live:
            _say_inline("\r\x1b[K")
        if not run.interrupted:
            _say("Stopping the solve and keeping the best schedule found so far...")
        else:
            _say("Still stopping: the best schedule so far is being saved, a moment more.")
        run.interrupted = True

    token = interruptions.started(db_path)
    thread = threading.Thread(target=work, name="solve", daemon=True)
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():  # signals are the main thread's to take
        for signum, handler in ((signal.SIGHUP, hang_up), (signal.SIGINT, interrupt)):
            previous[signum] = signal.signal(signum, handler)
    began = time.monotonic()
    thread.start()
    try:
        while not done.wait(0.25):
            if live and not run.hung_up and not run.interrupted:
                _progress_line(run, time.monotonic() - began, job.time_limit_s)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if live and not run.hung_up:
            _say_inline("\r\x1b[K")
    if run.error is not None:
        interruptions.finished(db_path, token)
        raise run.error
    assert run.doc is not None
    if run.hung_up:
        interruptions.cut_short(
            db_path, token, f"its terminal closed; the best schedule found so far was saved ({placed_text(run.doc)})"
        )
    else:
        interruptions.finished(db_path, token)
    return run


def _say_inline(text: str) -> None:
    with contextlib.suppress(OSError):
        sys.stderr.write(text)
        sys.stderr.flush()


def _progress_line(run: Run, elapsed: float, limit: float) -> None:
    """One line, cut to the terminal's width: a wrapped line could not be redrawn in place."""
    best = run.progress[-1] if run.progress else None
    placed = f"{best.placed} placed so far" if best is not None else "finding a first schedule"
    line = f"Solving: {elapsed:4.1f} s of {limit:g} s, {placed} (Ctrl+C stops, keeps the best)"
    width = shutil.get_terminal_size().columns - 1
    _say_inline(f"\r\x1b[K{line[:width]}")


def after(run: Run) -> None:
    """Say how a stopped solve ended and exit with its code (nothing to do for one that ran its course)."""
    assert run.doc is not None
    if run.hung_up:
        sys.exit(interruptions.EXIT_HANGUP)
    if run.interrupted:
        _say(f"Stopped by Ctrl+C: the best schedule found so far was saved ({placed_text(run.doc)}).")
        sys.exit(interruptions.EXIT_INTERRUPTED)
