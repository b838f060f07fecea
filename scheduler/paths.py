"""Where the database lives: ``--db``, then ``QUORUM_DB``, then the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DB = "QUORUM_DB"


def default_db_path() -> Path:
    return platformdirs.user_data_path("quorum", appauthor=False) / "quorum.db"


def resolve_db_path(option: str | Path | None) -> Path:
    if option:
        return Path(option)
    if os.environ.get(ENV_DB):
        return Path(os.environ[ENV_DB])
    return default_db_path()
