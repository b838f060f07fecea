"""Reading a coordinator's files safely: size limits, encodings, TOML syntax errors.

Everything here turns a bad file into a ``Problem`` naming the file (and the
line, where the parser knows it) rather than an exception.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from rotas.problems import Problem, key_path

TOML_LIMIT = 5 * 1024 * 1024  # a partnership of thousands of people fits in well under 1 MB
DATA_LIMIT = 64 * 1024 * 1024  # a year's duty sheet for 500 people is about 6 MB

M = TypeVar("M", bound=BaseModel)

_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def read_text(path: Path, rel: str, problems: list[Problem], limit: int) -> str | None:
    """The file as text, or None with a problem recorded (too big, binary, not UTF-8)."""
    try:
        size = path.stat().st_size
        if size > limit:
            problems.append(
                Problem(rel, f"file is too large ({size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB)"
                        " - is it the right file?")
            )
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(rel, f"cannot read the file ({exc.strerror or exc})"))
        return None
    if b"\x00" in raw:
        problems.append(Problem(rel, "this is not a text file (it contains binary data)"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(rel, "text is not UTF-8 (save the file as UTF-8)", line=line))
        return None


def read_toml(path: Path, rel: str, problems: list[Problem]) -> dict[str, Any] | None:
    """Parsed TOML, or None with a ``FILE:LINE: message`` problem for a syntax error."""
    text = read_text(path, rel, problems, TOML_LIMIT)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_LINE.search(message)
        reason = _TOML_LINE.sub("", message).strip()
        if found:
            problems.append(Problem(rel, f"TOML syntax error: {reason} (column {found[2]})", line=int(found[1])))
        else:
            problems.append(Problem(rel, f"TOML syntax error: {reason}"))
        return None
    except RecursionError:
        problems.append(Problem(rel, "TOML is nested too deeply to read"))
        return None


_FRIENDLY = {
    "missing": "missing required key",
    "extra_forbidden": "unknown key (check the spelling against the documentation)",
}


def validate(model: type[M], data: dict[str, Any], rel: str, problems: list[Problem]) -> M | None:
    """The data as ``model``, or None with one problem per validation error, each at its key."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = [part for part in error["loc"] if not (isinstance(part, str) and _is_union_tag(part))]
            message = _FRIENDLY.get(error["type"], error["msg"])
            if message.startswith("Value error, "):
                message = message.removeprefix("Value error, ")
            elif message.startswith("Assertion failed, "):
                message = message.removeprefix("Assertion failed, ")
            if error["type"] not in _FRIENDLY and "input" in error and _short(error["input"]):
                message += f" (found {error['input']!r})"
            problems.append(Problem(rel, message[:1].lower() + message[1:], key=key_path(*loc) or None))
        return None


def _is_union_tag(part: str) -> bool:
    """pydantic puts the union member's type (``str``, ``list[str]``) in error locations."""
    return part in {"str", "list[str]", "function-after[check(), str]"} or part.startswith("function-")


def _short(value: object) -> bool:
    return isinstance(value, str | int | float) and len(repr(value)) <= 60
