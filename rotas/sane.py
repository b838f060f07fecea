"""The edges of what Quorum accepts: dates, whole numbers and text a coordinator could mean.

Python's dates end at 9999-12-31 and SQLite's integers at 2**63; a date near either end overflows
the first sum made with it, deep inside the solver. Control characters in a name reach a terminal
(where ESC moves the cursor) or an .ics line (where a line break starts a property). So values are
held to these ranges where they come in (files, command-line options, the UI's form) and refused
there, with the key or option named, instead of failing later as a fault in Quorum.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

FIRST_YEAR, LAST_YEAR = 1900, 2200
BIGGEST = 10**9  # no count, offset or sequence number a coordinator writes comes near this

# C0 and C1 controls (line breaks, tab, ESC, NUL, DEL) and the invisible marks that reorder or hide text.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]")


def date_problem(value: date) -> str | None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return f"{value.isoformat()} is not a usable date: give one between {FIRST_YEAR} and {LAST_YEAR}"
    return None


def check_date(value: date) -> date:
    """``value``, or a ValueError saying it is outside the years Quorum plans in."""
    problem = date_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def text_problem(value: str, *, lines: bool = False) -> str | None:
    """Why ``value`` cannot be a name, label or id (a control character), or None; ``lines`` allows
    line breaks and tabs (free-text notes, which never leave the database)."""
    found = _CONTROL.search(value.replace("\n", "").replace("\t", "") if lines else value)
    if found is None:
        return None
    char = found.group()
    named = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab", "\x1b": "an escape character"}
    if char in named:
        what = named[char]
    elif unicodedata.category(char) == "Cc":
        what = f"a control character (U+{ord(char):04X})"
    else:
        what = f"an invisible character ({unicodedata.name(char, f'U+{ord(char):04X}').lower()})"
    return f"contains {what}: write it on one line, as plain text"


def check_value(value: Any, *, lines: bool = False) -> Any:
    """Every string, date and whole number in ``value`` (lists and dicts too) within the edges above."""
    if isinstance(value, str):
        problem = text_problem(value, lines=lines)
        if problem:
            raise ValueError(problem)
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        if abs(value) > BIGGEST:
            raise ValueError(f"{value} is far too large a number (at most {BIGGEST:,})")
    elif isinstance(value, date):  # datetime too
        check_date(value.date() if isinstance(value, datetime) else value)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            check_value(item, lines=lines)
    elif isinstance(value, dict):
        for k, item in value.items():
            check_value(k, lines=lines)
            check_value(item, lines=lines)
    return value


def shown(value: object, limit: int = 60) -> str:
    """``value`` as it may be echoed in a message: quoted, control characters spelt out, cut to ``limit``."""
    text = str(value)
    cut = len(text) > limit
    text = text[:limit]
    spelt = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return "'" + spelt.replace("'", "\\'") + ("...'" if cut else "'")


def printable(text: str) -> str:
    """Text safe to print to a terminal: control characters spelt out (``\\x1b``), nothing else changed."""
    return _CONTROL.sub(
        lambda m: m.group() if m.group() in "\n\t" else m.group().encode("unicode_escape").decode("ascii"), text
    )


# A case-reference pattern is a coordinator's regular expression: one with nested repeats, such as (a+)+$,
# takes time doubling with each character of a non-matching reference. Python's re cannot be stopped, so
# patterns are matched with the regex module, which can.
MATCH_TIMEOUT_S = 0.2
# Non-matching references as long as a case reference may be (40): where backtracking is at its worst.
_PROBES = ("a" * 39 + "!", "A" * 39 + "!", "1" * 39 + "!", "CP-" + "1" * 36 + "!", "-" * 39 + "!", "aA1-" * 9 + "aA!")


class SlowPattern(ValueError):
    """The pattern took longer than ``MATCH_TIMEOUT_S`` on one reference."""


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be a case-reference pattern (not a regular expression, or one that can take
    seconds to answer), or None."""
    import regex

    try:
        compiled = regex.compile(pattern)
    except (regex.error, TypeError, ValueError, OverflowError, RecursionError) as exc:
        return f"case_reference_pattern is not a valid regular expression ({exc})"
    for probe in _PROBES:

        def match(t: float, probe: str = probe) -> object:
            return compiled.fullmatch(probe, timeout=t)

        try:
            _twice(match)
        except TimeoutError:
            return (
                "case_reference_pattern can take seconds to check one reference (a repeat inside a repeat, "
                "such as (a+)+): write it without nested repeats, e.g. ^[A-Z]{2,4}-[0-9]{3,8}$"
            )
    return None


def fullmatch(pattern: str, text: str) -> bool:
    """Whether ``text`` matches ``pattern`` whole; ``SlowPattern`` if that takes too long to tell."""
    import regex

    try:
        return _twice(lambda t: regex.fullmatch(pattern, text, timeout=t)) is not None
    except TimeoutError as exc:
        raise SlowPattern(pattern) from exc


def _twice(match: Callable[[float], Any]) -> Any:
    """A timed match, tried again with ten times the time before it counts as slow: on a busy machine a
    process can wait a fifth of a second for the processor, and the default pattern was once refused so."""
    try:
        return match(MATCH_TIMEOUT_S)
    except TimeoutError:
        return match(10 * MATCH_TIMEOUT_S)


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """``"; did you mean 'sw-khan'?"`` for the nearest known id (a slip of a letter or two), else ``""``."""
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""
