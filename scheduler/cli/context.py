"""What every CLI command needs: the database path and the chosen partnership."""

from __future__ import annotations

from pathlib import Path

import click

from scheduler.paths import resolve_db_path


class Context:
    def __init__(self, db: str | None, partnership: str | None) -> None:
        self.db_option = db
        self.partnership_id = partnership

    @property
    def db_path(self) -> Path:
        return resolve_db_path(self.db_option)


pass_ctx = click.make_pass_decorator(Context)
