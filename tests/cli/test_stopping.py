"""Stopping a solve at the command line (issue 24, item 4): progress on a terminal, Ctrl+C keeps the best
found so far and exits 130 (not 1, a fault in Quorum), a closed terminal (SIGHUP) and a killed process
leave a note that the next start shows. Real processes, real signals, a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

QUORUM = [sys.executable, "-m", "scheduler"]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A partnership of 200 staff and 80 requests, loaded: its solve runs for several seconds."""
    root = tmp_path_factory.mktemp("stopping")
    env = {**os.environ, "QUORUM_TODAY": "2026-03-01", "QUORUM_SETTINGS": str(root / "settings.toml")}
    for args in (["generate", str(root / "p"), "--staff", "200", "--requests", "80"], ["load", str(root / "p")]):
        done = subprocess.run([*QUORUM, "--db", str(root / "q.db"), *args], env=env, capture_output=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr
    return root / "q.db"


def quorum_env(db: Path) -> dict[str, str]:
    return {**os.environ, "QUORUM_TODAY": "2026-03-01", "QUORUM_DB": str(db), "QUORUM_SETTINGS": "/nonexistent"}


def copy_of(db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "q.db"
    target.write_bytes(db.read_bytes())
    return target


def wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def solving(db: Path) -> subprocess.Popen[bytes]:
    """A long ``quorum solve`` on ``db``, once it has begun (its marker file is there)."""
    solve = subprocess.Popen(
        [*QUORUM, "solve", "--time-limit", "120"],
        env=quorum_env(db),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    wait_until(db.with_name(db.name + ".solves").exists)
    return solve


@pytest.mark.slow
def test_ctrl_c_shows_progress_then_keeps_the_best_and_exits_130(big: Path, tmp_path: Path) -> None:
    db = copy_of(big, tmp_path)
    master, terminal = pty.openpty()  # stderr on a terminal: the progress line is drawn there
    solve = subprocess.Popen(
        [*QUORUM, "solve", "--time-limit", "120"],
        env=quorum_env(db),
        stdout=subprocess.PIPE,
        stderr=terminal,
        cwd=ROOT,
    )
    os.close(terminal)
    seen = b""
    deadline = time.monotonic() + 60
    while b"placed so far" not in seen:
        assert time.monotonic() < deadline, seen
        if select.select([master], [], [], 0.5)[0]:
            seen += os.read(master, 4096)
    assert b"Solving: " in seen and b"(Ctrl+C stops, keeps the best)" in seen
    solve.send_signal(signal.SIGINT)
    out, _ = solve.communicate(timeout=120)
    while select.select([master], [], [], 0.2)[0]:
        try:
            seen += os.read(master, 4096)
        except OSError:
            break
    os.close(master)
    said = seen.decode(errors="replace")
    assert solve.returncode == 130, said
    assert "Stopping the solve and keeping the best schedule found so far" in said
    assert "Stopped by Ctrl+C: the best schedule found so far was saved (placed " in said
    assert out.decode().startswith("Placed ")
    after = subprocess.run([*QUORUM, "schedule"], env=quorum_env(db), capture_output=True, text=True, cwd=ROOT)
    assert after.stdout.startswith("Placed ") and "Note:" not in after.stderr


@pytest.mark.slow
def test_a_closed_terminal_keeps_the_best_and_the_next_start_says_so(big: Path, tmp_path: Path) -> None:
    db = copy_of(big, tmp_path)
    solve = solving(db)
    time.sleep(1.5)
    solve.send_signal(signal.SIGHUP)
    solve.communicate(timeout=120)
    assert solve.returncode == 129
    after = subprocess.run([*QUORUM, "schedule"], env=quorum_env(db), capture_output=True, text=True, cwd=ROOT)
    assert "was cut short: its terminal closed; the best schedule found so far was saved (placed" in after.stderr
    assert after.stdout.startswith("Placed ")
    again = subprocess.run([*QUORUM, "schedule"], env=quorum_env(db), capture_output=True, text=True, cwd=ROOT)
    assert "Note:" not in again.stderr  # told once


@pytest.mark.slow
def test_a_solve_killed_outright_is_told_at_the_next_start(big: Path, tmp_path: Path) -> None:
    db = copy_of(big, tmp_path)
    solve = solving(db)
    solve.kill()
    solve.communicate(timeout=30)
    after = subprocess.run([*QUORUM, "request", "list"], env=quorum_env(db), capture_output=True, text=True, cwd=ROOT)
    assert "did not finish (Quorum was closed or stopped while it ran): nothing from it was saved" in after.stderr


def test_ctrl_c_in_any_command_is_not_a_fault(run, monkeypatch) -> None:
    from scheduler.services import partnership

    def interrupted(folder):
        raise KeyboardInterrupt

    monkeypatch.setattr(partnership, "check_folder", interrupted)
    result = run("check", ROOT / "examples" / "leeds")
    assert result.code == 130 and "Stopped by Ctrl+C." in result.err and "Internal error" not in result.err


def test_the_readme_documents_the_exit_codes() -> None:
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "130 stopped by Ctrl+C" in readme and "129" in readme
