"""Fixtures the UI's tests share: the example loaded into a database of the test's own, and an environment
with nothing of the machine's in a picture."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.services import partnership as services
from tests.conftest import EXAMPLE, NOW


@pytest.fixture
def loaded_db(tmp_path: Path) -> Path:
    """The example loaded (not solved) at NOW, for a test that fills in requests or solves on its own."""
    db = tmp_path / "q.db"
    services.load(db, EXAMPLE, NOW)
    return db


@pytest.fixture
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CalDAV server, mail relay or NO_COLOR from the machine's environment: a snapshot is the same
    picture wherever the tests run."""
    for name in ("QUORUM_CALDAV_URL", "QUORUM_CALDAV_USER", "QUORUM_SMTP", "QUORUM_SMTP_SECURITY", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
