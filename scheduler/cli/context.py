"""What every CLI command needs: the database path and the chosen partnership."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from scheduler.paths import resolve_db_path
from scheduler.services import interruptions


class Context:
    def __init__(self, db: str | None, partnership: str | None) -> None:
        self.db_option = db
        self.partnership_id = partnership

    @property
    def db_path(self) -> Path:
        return resolve_db_path(self.db_option)


def tell_notes(db_path: Path) -> None:
    """What happened since the last start that the coordinator must know (a solve cut short), on stderr."""
    for note in interruptions.notes(db_path):
        click.echo(f"Note: {note}", err=True)


def pass_ctx(f: Callable[..., Any]) -> Callable[..., Any]:
    """Pass the Context, and accept ``--db`` after the command too (``quorum solve --db x.db``), where
    coordinators put it as often as before it."""

    @click.option("--db", "db_here", metavar="PATH", help="Database file (the same as --db before the command).")
    @click.pass_context
    @functools.wraps(f)
    def with_context(click_ctx: click.Context, /, *args: Any, db_here: str | None = None, **kwargs: Any) -> Any:
        ctx = click_ctx.find_object(Context)
        assert ctx is not None, "the quorum group sets the Context before any command runs"
        if db_here:
            ctx.db_option = db_here
        if click_ctx.info_name not in ("tui", "quorum"):  # the UI says them on its own screen
            tell_notes(ctx.db_path)
        return f(ctx, *args, **kwargs)

    return with_context
