"""Absence lists and duty sheets as CSV, as exported from HR and rostering systems.

``absences.csv``: ``person,start,end,kind``. A date alone means the whole local
day and an end date is inclusive ("leave 24 to 27 March"); a date and time
(``2026-03-24T13:00``) is local time and an end time is exclusive.

``duty-sheet*.csv``: ``date,person,shift_code``: on that date the person works
that code (of their agency) whatever their rota says.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rotas.clock import to_utc
from rotas.model import ABSENCE_KINDS, Absence, DutyOverride
from rotas.problems import MAX_PER_FILE, STOPPED, Problem
from rotas.sane import FIRST_YEAR, LAST_YEAR, check_date, did_you_mean, shown


def _rows(
    text: str, rel: str, columns: tuple[str, ...], problems: list[Problem]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; header problems stop the file.

    Reading stops after ``MAX_PER_FILE`` problems in one file: past that the
    file is almost certainly not what it should be, and listing millions of
    lines would bury the message.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    line_no = 0
    before = len(problems)
    try:
        for record in reader:
            line_no = reader.line_num
            if len(problems) - before >= MAX_PER_FILE:
                problems.append(Problem(rel, f"{STOPPED} {len(problems) - before} problems in this file", line=line_no))
                return
            if not record or all(not cell.strip() for cell in record) or record[0].lstrip().startswith("#"):
                continue
            cells = [cell.strip() for cell in record]
            if header is None:
                header = [c.lower() for c in cells]
                missing = [c for c in columns if c not in header]
                unknown = [c for c in header if c not in columns]
                if missing or unknown:
                    wanted = ",".join(columns)
                    what = (f"missing column {', '.join(missing)}" if missing else "") + (
                        ("; " if missing and unknown else "") + f"unknown column {', '.join(unknown)}"
                        if unknown
                        else ""
                    )
                    problems.append(Problem(rel, f"{what} (the first line must be: {wanted})", line=line_no))
                    return
                continue
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        rel, f"expected {len(header)} values ({','.join(header)}), found {len(cells)}", line=line_no
                    )
                )
                continue
            yield line_no, dict(zip(header, cells, strict=True))
    except csv.Error as exc:
        problems.append(Problem(rel, f"CSV error: {exc}", line=line_no + 1))
        return
    if header is None:
        problems.append(Problem(rel, f"the file is empty (the first line must be: {','.join(columns)})"))


def _moment(value: str, tz: ZoneInfo, *, end: bool) -> datetime:
    """A CSV date or date-time as UTC; a whole-day end date runs to the next local midnight."""
    value = value.strip()
    if "T" not in value and " " not in value:
        day = check_date(date.fromisoformat(value))
        return to_utc(day + timedelta(days=1) if end else day, time(0), tz)
    moment = datetime.fromisoformat(value)
    check_date(moment.date())
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    return to_utc(moment.date(), moment.time(), tz)


def _when_problem(column: str, value: str, exc: ValueError, clock: str | None) -> str:
    if str(exc).endswith(f"between {FIRST_YEAR} and {LAST_YEAR}"):
        return f"{column}: {exc}"
    example = "a date (2026-03-24)" + (f" or date-time (2026-03-24T{clock})" if clock else "")
    return f"{column} {shown(value)} is not {example}"


def _unknown_person(person: str, ids: Sequence[str]) -> str:
    return f"unknown person {person!r} (use the id from people.toml{did_you_mean(person, ids)})"


def read_absences(
    text: str,
    rel: str,
    tz: ZoneInfo,
    known: Callable[[str], bool],
    problems: list[Problem],
    ids: Sequence[str] = (),
) -> list[Absence]:
    """Every problem of a line is said at once (not one per run: three rounds for one line); ``ids`` are
    the people's ids, for a "did you mean"."""
    out: list[Absence] = []
    for line, row in _rows(text, rel, ("person", "start", "end", "kind"), problems):
        found: list[str] = []
        if not known(row["person"]):
            found.append(_unknown_person(row["person"], ids))
        kind = row["kind"].lower()
        if kind not in ABSENCE_KINDS:
            hint = did_you_mean(kind, ABSENCE_KINDS)
            found.append(f"unknown kind {row['kind']!r} (use one of: {', '.join(ABSENCE_KINDS)}{hint})")
        start = finish = None
        try:
            start = _moment(row["start"], tz, end=False)
        except ValueError as exc:
            found.append(_when_problem("start", row["start"], exc, "09:00"))
        try:
            finish = _moment(row["end"], tz, end=True)
        except ValueError as exc:
            found.append(_when_problem("end", row["end"], exc, "17:00"))
        if start is not None and finish is not None and finish <= start:
            found.append(f"end {row['end']} is before start {row['start']}")
        problems.extend(Problem(rel, message, line=line) for message in found)
        if not found and start is not None and finish is not None:
            out.append(Absence(row["person"], start, finish, kind, f"{rel}:{line}"))
    return out


def read_duty_sheet(
    text: str,
    rel: str,
    codes_for: Callable[[str], set[str] | None],
    problems: list[Problem],
    ids: Sequence[str] = (),
) -> list[DutyOverride]:
    """Rows of a duty sheet; ``codes_for(person)`` is their agency's codes, None if unknown. Every problem of
    a line is said at once; ``ids`` are the people's ids, for a "did you mean"."""
    out: list[DutyOverride] = []
    seen: dict[tuple[str, date], tuple[str, int]] = {}
    for line, row in _rows(text, rel, ("date", "person", "shift_code"), problems):
        found: list[str] = []
        codes = codes_for(row["person"])
        if codes is None:
            found.append(_unknown_person(row["person"], ids))
        day = None
        try:
            day = check_date(date.fromisoformat(row["date"]))
        except ValueError as exc:
            found.append(_when_problem("date", row["date"], exc, None))
        code = row["shift_code"]
        if codes is not None and code not in codes:
            found.append(
                f"unknown shift code {code!r} for {row['person']} (their agency defines "
                f"{', '.join(sorted(codes))}{did_you_mean(code, sorted(codes))})"
            )
        problems.extend(Problem(rel, message, line=line) for message in found)
        if found or day is None:
            continue
        previous = seen.get((row["person"], day))
        if previous and previous[0] != code:
            problems.append(
                Problem(rel, f"{row['person']} on {day} is already {previous[0]!r} at line {previous[1]}", line=line)
            )
            continue
        if previous:  # the same row again: harmless, and said once is enough
            continue
        seen[(row["person"], day)] = (code, line)
        out.append(DutyOverride(row["person"], day, code, f"{rel}:{line}"))
    return out
