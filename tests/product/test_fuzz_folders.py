"""A seeded mutation corpus of the example partnership: whatever the folder, check and load end 0 or 2
within a few seconds, never an internal error, and a refused load leaves the database byte for byte.

Each case copies the example and makes one to three mutations of the kinds a hostile or unlucky user
makes: bytes flipped, a file cut short, lines doubled, dropped or swapped, values of the wrong type,
dates at the ends of the calendar, huge numbers, control characters, pathological recurrence rules,
files emptied or removed. Every 25th case that loads is also solved (greedy) and exported.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE

SEED = 20261202
CASES = 320
SECONDS_PER_RUN = 20  # a hang guard, not a benchmark: most runs take a tenth of a second

WRONG_VALUES = ['"text"', "12", "[1, 2]", "{ a = 1 }", "true", "-1", "1e400", "2026-13-45", '""', "[]"]
EDGE_DATES = ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01", "2026-02-30"]
HUGE = [str(10**20), str(-(10**20)), str(2**63), "9" * 40]
CONTROL = ["\\u0000", "\\u001b[2J", "\\u202e", "\\n", "\\r", "\\u0007", "\\t"]
RAW_CONTROL = ["\x00", "\x1b[2J", "\u202e", "\r", "\x07"]
RRULES = [
    "RRULE:FREQ=SECONDLY",
    "RRULE:FREQ=MINUTELY",
    "RRULE:FREQ=HOURLY;INTERVAL=1",
    "RRULE:FREQ=SOMETIMES",
    "RRULE:FREQ=WEEKLY;BYDAY=XX",
    "RRULE:FREQ=DAILY;COUNT=99999999999999999999",
    "RRULE:FREQ=DAILY;UNTIL=99991231T000000Z",
    "RRULE:FREQ=YEARLY;BYMONTH=13",
    "RRULE:FREQ=MONTHLY;BYMONTHDAY=0",
    "RRULE:FREQ=DAILY;INTERVAL=0",
    "RRULE:",
    "EXDATE:2026xx",
    "RDATE;VALUE=PERIOD:20260310T100000Z/PT1H",
    "RECURRENCE-ID:20260310T100000Z",
    "DURATION:P99999W",
    "DTSTART:00010101T000000Z",
    "DTSTART;TZID=Mars/Olympus:20260310T100000",
    "X-WR-TIMEZONE:Not/AZone",
    "BEGIN:VEVENT",
    "END:VCALENDAR",
]


def _text_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)


def flip_bytes(rng: random.Random, folder: Path) -> None:
    path = rng.choice(_text_files(folder))
    data = bytearray(path.read_bytes())
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.choice([0, 0x1B, 0xFF, 0x22, 0x5B, 0x0A, rng.randrange(256)])
    path.write_bytes(bytes(data))


def truncate(rng: random.Random, folder: Path) -> None:
    path = rng.choice(_text_files(folder))
    data = path.read_bytes()
    path.write_bytes(data[: rng.randrange(len(data) + 1)])


def _edit_lines(rng: random.Random, folder: Path, change: Callable[[list[str], int], None]) -> None:
    path = rng.choice(_text_files(folder))
    lines = _lines(path)
    if lines:
        change(lines, rng.randrange(len(lines)))
        path.write_text("".join(lines), encoding="utf-8")


def duplicate_line(rng: random.Random, folder: Path) -> None:
    _edit_lines(rng, folder, lambda lines, i: lines.insert(i, lines[i] * rng.choice([1, 2, 50])))


def delete_line(rng: random.Random, folder: Path) -> None:
    _edit_lines(rng, folder, lambda lines, i: lines.pop(i))


def swap_lines(rng: random.Random, folder: Path) -> None:
    def swap(lines: list[str], i: int) -> None:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]

    _edit_lines(rng, folder, swap)


def _replace_match(rng: random.Random, folder: Path, glob: str, pattern: str, values: list[str]) -> None:
    paths = sorted(folder.glob(glob))
    if not paths:
        return
    path = rng.choice(paths)
    text = path.read_text(encoding="utf-8", errors="replace")
    found = list(re.finditer(pattern, text))
    if found:
        m = rng.choice(found)
        text = text[: m.start(1)] + rng.choice(values) + text[m.end(1) :]
        path.write_text(text, encoding="utf-8")


def wrong_type(rng: random.Random, folder: Path) -> None:
    _replace_match(rng, folder, "*.toml", r"(?m)^\s*[a-z_]+ = (.+)$", WRONG_VALUES)


def edge_date(rng: random.Random, folder: Path) -> None:
    _replace_match(rng, folder, rng.choice(["*.toml", "*.csv"]), r"(\d{4}-\d{2}-\d{2})", EDGE_DATES)


def huge_number(rng: random.Random, folder: Path) -> None:
    _replace_match(rng, folder, "*.toml", r"(?m)= (\d+)\s*(?:#.*)?$", HUGE)


def control_character(rng: random.Random, folder: Path) -> None:
    if rng.random() < 0.7:
        _replace_match(rng, folder, "*.toml", r'"([^"\n]{0,0})[^"\n]*"', CONTROL)
    else:
        _replace_match(rng, folder, "*.csv", r"(?m)^[^#\n]*,([^,\n]{0,0})", RAW_CONTROL)


def pathological_rule(rng: random.Random, folder: Path) -> None:
    path = folder / "busy" / "sw-osei.ics"
    lines = _lines(path)
    starts = [i for i, line in enumerate(lines) if line.startswith("BEGIN:VEVENT")]
    at = rng.choice(starts) + 1
    lines.insert(at + rng.randint(0, 3), rng.choice(RRULES) + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def empty_or_remove(rng: random.Random, folder: Path) -> None:
    path = rng.choice(_text_files(folder))
    if rng.random() < 0.5:
        path.write_bytes(b"")
    else:
        path.unlink()


MUTATIONS = [
    flip_bytes,
    truncate,
    duplicate_line,
    delete_line,
    swap_lines,
    wrong_type,
    edge_date,
    huge_number,
    control_character,
    pathological_rule,
    empty_or_remove,
]


def mutated(case: int, root: Path) -> tuple[Path, list[str]]:
    rng = random.Random(SEED * 1000 + case)
    folder = root / f"case-{case:03d}"
    shutil.copytree(EXAMPLE, folder)
    done = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        mutation = MUTATIONS[case % len(MUTATIONS)] if not done else rng.choice(MUTATIONS)
        mutation(rng, folder)
        done.append(mutation.__name__)
    return folder, done


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so the CLI's own error handling cannot swallow it."""


def _alarm(signum: int, frame: object) -> None:
    raise Hang


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_every_mutated_folder_ends_0_or_2_in_seconds_and_a_refusal_changes_nothing(
    run, solved_copy: Path, tmp_path: Path
) -> None:
    previous = signal.signal(signal.SIGALRM, _alarm)
    failures: list[str] = []
    outcomes = {0: 0, 2: 0}
    loaded = 0

    def quorum(*args: str | Path) -> tuple[int, str]:
        signal.alarm(SECONDS_PER_RUN)
        try:
            result = run(*args)
        except Hang:
            return -1, f"still running after {SECONDS_PER_RUN} s"
        finally:
            signal.alarm(0)
        return result.code, result.out + result.err

    try:
        for case in range(CASES):
            folder, how = mutated(case, tmp_path / "corpus")
            db = tmp_path / "db" / f"case-{case:03d}.db"
            db.parent.mkdir(exist_ok=True)
            shutil.copy(solved_copy, db)
            before = digest(db)
            code, said = quorum("check", folder)
            if code not in (0, 2) or "Internal error" in said or "\x1b" in said:
                failures.append(f"case {case} ({', '.join(how)}): check exit {code}: {said[-300:]}")
                continue
            outcomes[code] += 1
            code, said = quorum("--db", db, "load", folder)
            if code not in (0, 2) or "Internal error" in said:
                failures.append(f"case {case} ({', '.join(how)}): load exit {code}: {said[-300:]}")
            elif code == 2 and digest(db) != before:
                failures.append(f"case {case} ({', '.join(how)}): load refused but the database changed")
            elif code == 0:
                loaded += 1
                if loaded % 25 == 1:
                    for args in (
                        ("solve", "--strategy", "greedy", "--time-limit", "5"),
                        ("export", "--out", tmp_path / "out" / f"case-{case:03d}"),
                        ("availability", "--from", "2026-03-23", "--days", "2"),
                    ):
                        code, said = quorum("--db", db, *args)
                        if code not in (0, 2) or "Internal error" in said:
                            failures.append(f"case {case} ({', '.join(how)}): {args[0]} exit {code}: {said[-300:]}")
            shutil.rmtree(folder)
            db.unlink()
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert not failures, "\n".join(failures[:20])
    # The corpus must exercise both sides: mostly refusals, but some mutations are harmless.
    assert outcomes[2] >= CASES // 2 and outcomes[0] >= 10, outcomes


@pytest.mark.parametrize("case", range(3))
def test_the_corpus_is_the_same_every_run(case: int, tmp_path: Path) -> None:
    first, how = mutated(case, tmp_path / "a")
    again, how_again = mutated(case, tmp_path / "b")
    assert how == how_again
    for a, b in zip(_text_files(first), _text_files(again), strict=True):
        assert a.read_bytes() == b.read_bytes()
