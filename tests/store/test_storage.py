"""The SQLite store: round trip, versions, one-transaction loads."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rotas import load_folder
from scheduler.errors import UserError
from scheduler.services import partnership as services
from scheduler.store.database import Store
from scheduler.store.migrations import schema_version
from tests.conftest import EXAMPLE

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_example_round_trips_exactly(tmp_path: Path) -> None:
    p, problems = load_folder(EXAMPLE)
    assert problems == [] and p is not None
    with Store.open(tmp_path / "q.db", create=True) as store:
        store.replace_partnership(p, str(EXAMPLE), NOW)
    with Store.open(tmp_path / "q.db") as store:
        assert store.partnership() == p
        assert store.version == schema_version() >= 1
        assert store.pending_migrations() == []


def test_reload_replaces_not_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    services.load(db, EXAMPLE, NOW)
    services.load(db, EXAMPLE, NOW)
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from people").fetchone()[0] == 50
    assert conn.execute("select count(*) from partnerships").fetchone()[0] == 1


def test_error_during_write_rolls_everything_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "q.db"
    services.load(db, EXAMPLE, NOW)
    before = db.read_bytes()
    p, _ = load_folder(EXAMPLE)
    assert p is not None
    store = Store.open(db)
    original = store.db.table("people").insert_all
    calls = {"n": 0}

    def failing_insert_all(*args, **kwargs):  # fault injection: a disk error half-way through
        calls["n"] += 1
        original(*args, **kwargs)
        raise sqlite3.OperationalError("disk I/O error")

    real_table = store.db.table

    def table(name: str):
        t = real_table(name)
        if name == "people":
            t.insert_all = failing_insert_all  # type: ignore[method-assign]
        return t

    monkeypatch.setattr(store.db, "table", table)
    monkeypatch.setattr(type(store.db), "__getitem__", lambda self, name: table(name))
    with pytest.raises(sqlite3.OperationalError):
        store.replace_partnership(p, "x", NOW)
    store.close()
    assert calls["n"] == 1
    assert db.read_bytes() == before


def test_reading_a_missing_database_does_not_create_it(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no database"):
        Store.open(tmp_path / "none.db")
    assert not (tmp_path / "none.db").exists()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    services.load(db, EXAMPLE, NOW)
    conn = sqlite3.connect(db)
    conn.execute(
        "insert into _sqlite_migrations (migration_set, name, applied_at) values ('quorum', 'm9999_future', 'x')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="newer version of Quorum"):
        Store.open(db)


def test_other_sqlite_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("create table notes (x)")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="not a Quorum database"):
        Store.open(db)


def test_garbage_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "junk.db"
    db.write_bytes(b"not a database at all" * 100)
    with pytest.raises(UserError, match="not a Quorum database"):
        services.load(db, EXAMPLE, NOW)
    assert db.read_bytes() == b"not a database at all" * 100


def test_several_partnerships_need_choosing(tmp_path: Path, folder) -> None:
    db = tmp_path / "q.db"
    services.load(db, EXAMPLE, NOW)
    services.load(db, folder(), NOW)
    with pytest.raises(UserError, match="several partnerships"):
        services.open_partnership(db)
    assert services.open_partnership(db, "tiny-partnership").name == "Tiny partnership"
    with pytest.raises(UserError, match="no partnership 'nope'"):
        services.open_partnership(db, "nope")


def test_version_1_database_is_migrated_when_opened(tmp_path: Path) -> None:
    """A file written before the scheduling tables existed gains them, data intact."""
    import sqlite_utils

    from scheduler.store.migrations import MIGRATIONS

    db_path = tmp_path / "old.db"
    db = sqlite_utils.Database(db_path)
    MIGRATIONS.apply(db, stop_before="m0002_scheduling")
    db.execute("PRAGMA user_version = 1")
    db["partnerships"].insert(
        {
            "id": "old",
            "name": "Old",
            "timezone": "Europe/London",
            "bank_holidays": "GB-ENG",
            "extra_bank_holidays": "[]",
            "coordinator_name": "C",
            "coordinator_email": "c@example.org",
            "settings": "{}",
            "source": "x",
            "loaded_at": "2026-01-01T00:00:00+00:00",
        }
    )
    db["agencies"].insert({"partnership": "old", "id": "police", "name": "Police", "position": 0})
    db.close()
    with Store.open(db_path) as store:
        assert store.pending_migrations()[0] == "m0002_scheduling"
        p = store.partnership()
        assert store.version == schema_version() >= 3
        assert store.pending_migrations() == []
        assert p.agencies[0].kind == "other" and p.rooms == ()
