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
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rotas.clock import to_utc
from rotas.model import ABSENCE_KINDS, Absence, DutyOverride
from rotas.problems import MAX_PER_FILE, Problem
from rotas.sane import FIRST_YEAR, LAST_YEAR, check_date, shown


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
                problems.append(
                    Problem(rel, f"stopped checking after {MAX_PER_FILE} problems in this file", line=line_no)
                )
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


def read_absences(
    text: str, rel: str, tz: ZoneInfo, known: Callable[[str], bool], problems: list[Problem]
) -> list[Absence]:
    out: list[Absence] = []
    for line, row in _rows(text, rel, ("person", "start", "end", "kind"), problems):
        if not known(row["person"]):
            problems.append(Problem(rel, f"unknown person {row['person']!r} (use the id from people.toml)", line=line))
            continue
        kind = row["kind"].lower()
        if kind not in ABSENCE_KINDS:
            problems.append(
                Problem(rel, f"unknown kind {row['kind']!r} (use one of: {', '.join(ABSENCE_KINDS)})", line=line)
            )
            continue
        try:
            start = _moment(row["start"], tz, end=False)
        except ValueError as exc:
            problems.append(Problem(rel, _when_problem("start", row["start"], exc, "09:00"), line=line))
            continue
        try:
            finish = _moment(row["end"], tz, end=True)
        except ValueError as exc:
            problems.append(Problem(rel, _when_problem("end", row["end"], exc, "17:00"), line=line))
            continue
        if finish <= start:
            problems.append(Problem(rel, f"end {row['end']} is before start {row['start']}", line=line))
            continue
        out.append(Absence(row["person"], start, finish, kind, f"{rel}:{line}"))
    return out


def read_duty_sheet(
    text: str, rel: str, codes_for: Callable[[str], set[str] | None], problems: list[Problem]
) -> list[DutyOverride]:
    """Rows of a duty sheet; ``codes_for(person)`` is their agency's codes, None if unknown."""
    out: list[DutyOverride] = []
    seen: dict[tuple[str, date], tuple[str, int]] = {}
    for line, row in _rows(text, rel, ("date", "person", "shift_code"), problems):
        codes = codes_for(row["person"])
        if codes is None:
            problems.append(Problem(rel, f"unknown person {row['person']!r} (use the id from people.toml)", line=line))
            continue
        try:
            day = check_date(date.fromisoformat(row["date"]))
        except ValueError as exc:
            problems.append(Problem(rel, _when_problem("date", row["date"], exc, None), line=line))
            continue
        code = row["shift_code"]
        if code not in codes:
            problems.append(
                Problem(
                    rel,
                    f"unknown shift code {code!r} for {row['person']} (their agency defines "
                    f"{', '.join(sorted(codes))})",
                    line=line,
                )
            )
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
