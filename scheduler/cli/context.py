"""What every CLI command needs: the database path and the chosen partnership."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from scheduler.paths import resolve_db_path


class Context:
    def __init__(self, db: str | None, partnership: str | None) -> None:
        self.db_option = db
        self.partnership_id = partnership

    @property
    def db_path(self) -> Path:
        return resolve_db_path(self.db_option)


def pass_ctx(f: Callable[..., Any]) -> Callable[..., Any]:
    """Pass the Context, and accept ``--db`` after the command too (``quorum solve --db x.db``), where
    coordinators put it as often as before it."""

    @click.option("--db", "db_here", metavar="PATH", help="Database file (the same as --db before the command).")
    @click.pass_context
    @functools.wraps(f)
    def with_context(click_ctx: click.Context, *args: Any, db_here: str | None = None, **kwargs: Any) -> Any:
        ctx = click_ctx.find_object(Context)
        assert ctx is not None, "the quorum group sets the Context before any command runs"
        if db_here:
            ctx.db_option = db_here
        return f(ctx, *args, **kwargs)

    return with_context
