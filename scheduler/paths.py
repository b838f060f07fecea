"""Where the database lives: ``--db``, then ``QUORUM_DB``, then the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from scheduler.errors import UserError

ENV_DB = "QUORUM_DB"


def default_db_path() -> Path:
    return platformdirs.user_data_path("quorum", appauthor=False) / "quorum.db"


def resolve_db_path(option: str | Path | None) -> Path:
    if option:
        return Path(option)
    if os.environ.get(ENV_DB):
        return Path(os.environ[ENV_DB])
    return default_db_path()


def example_folder() -> Path:
    """The bundled example: beside the packages in a checkout, inside them in a wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "examples" / "leeds", here / "_examples" / "leeds"):
        if (candidate / "partnership.toml").is_file():
            return candidate
    raise UserError("the bundled example is not installed with this copy of Quorum")
