"""Reading a coordinator's files safely: size limits, encodings, TOML syntax errors.

Everything here turns a bad file into a ``Problem`` naming the file (and the
line, where the parser knows it) rather than an exception.
"""

from __future__ import annotations

import re
import stat
import tomllib
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from rotas.problems import Problem, key_path
from rotas.sane import shown

TOML_LIMIT = 5 * 1024 * 1024  # a partnership of thousands of people fits in well under 1 MB
DATA_LIMIT = 64 * 1024 * 1024  # a year's duty sheet for 500 people is about 6 MB

M = TypeVar("M", bound=BaseModel)

_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def read_text(path: Path, rel: str, problems: list[Problem], limit: int) -> str | None:
    """The file as text, or None with a problem recorded (too big, binary, not UTF-8)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe would wait for a writer forever, a device never end
            problems.append(Problem(rel, "not an ordinary file (a pipe, socket or device?): put the file itself here"))
            return None
        size = info.st_size
        if size > limit:
            problems.append(
                Problem(
                    rel,
                    f"file is too large ({size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB)"
                    " - is it the right file?",
                )
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


_DATE_LIKE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{1,2}(?::\d{1,2})?)?")
_BARE_WORD = re.compile(r"=\s*([A-Za-z][\w-]*)\s*(?:#.*)?$")


def toml_hint(line: str) -> str:
    """What a TOML syntax error usually means, in a coordinator's words: a date that is not one
    ("Invalid date or datetime" says nothing of the 32nd of March), or text without its quotes."""
    for token in _DATE_LIKE.findall(line.split("#", 1)[0]):
        try:
            datetime.fromisoformat(token)
        except ValueError:
            return (
                f"{token} is not a date Quorum can read: write dates as 2026-03-24 (year-month-day, "
                "a real day) and times as 2026-03-24T10:00"
            )
    bare = _BARE_WORD.search(line)
    if bare and bare[1] not in ("true", "false", "inf", "nan"):
        return f'text must be in double quotes: "{bare[1]}"'
    if _open_quote(line):
        return 'a quote is not closed: text in double quotes must end with " on the same line'
    return ""


def _open_quote(line: str) -> bool:
    """Whether a double-quoted text on ``line`` is left open (a '#' inside quotes is not a comment)."""
    inside = False
    escaped = False
    for char in line:
        if inside:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                inside = False
        elif char == '"':
            inside = True
        elif char == "#":
            return False
    return inside


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
            at = int(found[1])
            hint = toml_hint(text.splitlines()[at - 1] if at <= len(text.splitlines()) else "")
            detail = f"TOML syntax error: {reason} (column {found[2]})"
            problems.append(Problem(rel, f"{hint} ({detail})" if hint else detail, line=at))
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


def record_errors(
    exc: ValidationError, rel: str, problems: list[Problem], prefix: tuple[str | int, ...] = (), who: str | None = None
) -> None:
    """One problem per error at its key; ``who`` (an entry's id or name) is named too, since "people[2]"
    means little to someone reading the file."""
    for error in exc.errors(include_url=False):
        loc = [*prefix, *(p for p in error["loc"] if not (isinstance(p, str) and _is_union_tag(p)))]
        message = _FRIENDLY.get(error["type"], error["msg"])
        if error["type"] == "string_too_short" and (error.get("ctx") or {}).get("min_length") == 1:
            message = "empty: give a value"  # not "string should have at least 1 character (found '')"
        for noise in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(noise)
        if message.startswith("empty"):
            pass
        elif error["type"] not in _FRIENDLY and error["type"] != "value_error" and _short(error.get("input")):
            message += f" (found {error['input']!r})"
        entry = shown(who) if who and error["loc"] and error["loc"][0] not in ("id", "name") else None
        problems.append(Problem(rel, message[:1].lower() + message[1:], key=key_path(*loc) or None, entry=entry))


def validate(model: type[M], data: dict[str, Any], rel: str, problems: list[Problem]) -> M | None:
    """The data as ``model``, or None with one problem per validation error, each at its key."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        record_errors(exc, rel, problems)
        return None


def validate_lists(
    model: type[M], data: dict[str, Any], rel: str, problems: list[Problem]
) -> tuple[M | None, set[str]]:
    """Validate a file of lists entry by entry, so one bad entry does not hide the rest.

    Returns the file with each invalid entry replaced by None (indices still match
    the file), and the ids or names of the invalid entries, so that references to
    them are not reported a second time as unknown.
    """
    lists: dict[str, Any] = {}
    broken: set[str] = set()
    for key in data:
        if key not in model.model_fields:
            problems.append(Problem(rel, _FRIENDLY["extra_forbidden"], key=key))
    for key, field in model.model_fields.items():
        value = data.get(key)
        item_model = _item_model(field.annotation)
        if value is None:
            if field.is_required():
                problems.append(Problem(rel, f"no [[{key}]] entries", key=key))
            lists[key] = []
            continue
        if not isinstance(value, list) or item_model is None:
            problems.append(Problem(rel, f"expected a list of [[{key}]] tables", key=key))
            lists[key] = []
            continue
        if not value and field.is_required():
            problems.append(Problem(rel, f"no [[{key}]] entries", key=key))
        items: list[Any] = []
        for index, item in enumerate(value):
            try:
                items.append(item_model.model_validate(item))
            except ValidationError as exc:
                who = next(
                    (item[k] for k in ("id", "name") if isinstance(item, dict) and isinstance(item.get(k), str)), None
                )
                record_errors(exc, rel, problems, (key, index), who)
                salvaged = _salvage(item_model, item, exc, broken)
                items.append(salvaged)
                if salvaged is None and isinstance(item, dict):
                    broken.update(str(item[k]) for k in ("id", "name") if isinstance(item.get(k), str))
        lists[key] = items
    return model.model_construct(**lists), broken


def _salvage(model: type[BaseModel], item: Any, exc: ValidationError, broken: set[str]) -> Any:
    """The entry without its bad table entries (e.g. one bad shift of an agency), if that is all.

    The dropped keys are added to ``broken`` as ``"<id>/<key>"`` so references to
    them (a cycle using that shift code) are not reported again.
    """
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        return None
    drop: set[tuple[str, str]] = set()
    for error in exc.errors():
        loc = error["loc"]
        field = model.model_fields.get(str(loc[0])) if loc else None
        if field is None or len(loc) < 2 or getattr(field.annotation, "__origin__", None) is not dict:
            return None
        drop.add((str(loc[0]), str(loc[1])))
    trimmed = {k: (dict(v) if isinstance(v, dict) else v) for k, v in item.items()}
    for field_name, entry in drop:
        trimmed[field_name].pop(entry, None)
    try:
        salvaged = model.model_validate(trimmed)
    except ValidationError:
        return None
    broken.update(f"{item['id']}/{entry}" for _, entry in drop)
    return salvaged


def _item_model(annotation: Any) -> type[BaseModel] | None:
    args = getattr(annotation, "__args__", ())
    if getattr(annotation, "__origin__", None) is list and args and isinstance(args[0], type):
        return args[0] if issubclass(args[0], BaseModel) else None
    return None


def _is_union_tag(part: str) -> bool:
    """pydantic puts the union member's type (``str``, ``list[str]``) in error locations."""
    return part in {"str", "list[str]", "function-after[check(), str]"} or part.startswith("function-")


def _short(value: object) -> bool:
    return isinstance(value, str | int | float) and len(repr(value)) <= 60


_ENTRY_KEY = re.compile(r"^([A-Za-z_][\w-]*)\[(\d+)\]")
_ENTRY_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z_][\w-]*)\s*\]\]")


def with_entry_lines(problems: list[Problem], root: Path) -> list[Problem]:
    """Each problem in a list entry ("people[3].team") also says the line its [[people]] entry starts
    on: a coordinator finds an entry by scrolling to it, not by counting entries from zero."""
    headers: dict[str, dict[str, list[int]]] = {}
    out = []
    for problem in problems:
        found = _ENTRY_KEY.match(problem.key or "")
        if problem.line is None and found and problem.file.endswith(".toml"):
            if problem.file not in headers:
                headers[problem.file] = _entry_headers(root / problem.file)
            starts = headers[problem.file].get(found[1], [])
            index = int(found[2])
            if index < len(starts):
                problem = replace(problem, entry_line=starts[index])
        out.append(problem)
    return out


def _entry_headers(path: Path) -> dict[str, list[int]]:
    """The line of every [[name]] header, by name (the file has been read and parsed once already)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        header = _ENTRY_HEADER.match(line)
        if header:
            out.setdefault(header[1], []).append(number)
    return out
