"""Problems found in a partnership folder, worded for a coordinator.

Every check collects problems instead of stopping at the first, so one run of
``quorum check`` lists everything that needs fixing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

MAX_PER_FILE = 50  # past this a file is almost certainly the wrong file: more lines would bury the message
MAX_TOTAL = 200
MAX_MESSAGE = 300  # a message quoting a megabyte value is cut here
MAX_KEY = 120
STOPPED = "stopped checking after"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one file, located as precisely as the parser allows."""

    file: str
    message: str
    key: str | None = None
    line: int | None = None
    # For a problem inside a list entry ("people[3].team"), since "people[3]" means little to someone
    # reading the file: the entry's id or name (as shown) and the line its [[...]] header is on.
    entry: str | None = None
    entry_line: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}: {self.message}{self.where()}"
        if self.key:
            return f"{self.file}: {key_words(self.key)}: {self.message}{self.where()}"
        return f"{self.file}: {self.message}{self.where()}"

    def where(self) -> str:
        """' (in the entry for 'sw-osei' at line 182)', or as much of it as is known."""
        named = f" for {self.entry}" if self.entry else ""
        at = f" at line {self.entry_line}" if self.entry_line is not None else ""
        return f" (in the entry{named}{at})" if named or at else ""


# A nested list's items, one by one, as a coordinator names them ("rule 2", "day 12").
_ONE_OF = {"days": "day", "rules": "rule", "slots": "slot", "terms": "term", "rooms": "room", "invite": "invite"}
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def key_words(key: str) -> str:
    """A key path as a coordinator counts: ``requests[2].invite[0].person`` is "requests entry 3, invite 1,
    person" and ``cycles[0].days[11]`` "cycles entry 1, day 12" (the paths themselves count from zero, as
    the parsers do; nobody reading a file does)."""
    words: list[str] = []
    for name, index in _PART.findall(key):
        if name and words and words[-1] == "shifts":
            words[-1] = f"shift {name}"
        elif name:
            words.append(name)
        elif not words:
            words.append(f"entry {int(index) + 1}")
        elif len(words) == 1 and words[0] not in _ONE_OF:  # a file's own list: "people entry 2"
            words[0] = f"{words[0]} entry {int(index) + 1}"
        else:
            words[-1] = f"{_ONE_OF.get(words[-1], words[-1])} {int(index) + 1}"
    return ", ".join(words)


def key_path(*parts: str | int) -> str:
    """Render a location such as ``people[3].email`` the way it reads in the file."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class InputError(ValueError):
    """Data a coordinator supplied that cannot be used, found after it was checked (e.g. a busy calendar's
    rule that only blows up over the period asked for). The message says what to fix; exit code 2."""

    exit_code = 2


def capped(problems: list[Problem]) -> list[Problem]:
    """``problems`` as a coordinator can read them: at most ``MAX_PER_FILE`` a file and ``MAX_TOTAL`` in all,
    each followed by a count of the rest, and no message or key longer than ``MAX_MESSAGE`` or ``MAX_KEY``."""
    out: list[Problem] = []
    per_file: dict[str, int] = {}
    for p in problems:
        if p.message.startswith(STOPPED):  # a reader's own last word on a file: always kept
            out.append(p)
            continue
        per_file[p.file] = per_file.get(p.file, 0) + 1
        if per_file[p.file] <= MAX_PER_FILE + 1:  # + 1: room for a reader's own "stopped checking" line
            if len(p.message) > MAX_MESSAGE:
                p = replace(p, message=p.message[:MAX_MESSAGE] + "... (cut)")
            if p.key and len(p.key) > MAX_KEY:  # an unknown key is echoed as its path
                p = replace(p, key=p.key[:MAX_KEY] + "...")
            out.append(p)
    for file, count in per_file.items():
        if count > MAX_PER_FILE + 1:
            index = max(i for i, p in enumerate(out) if p.file == file) + 1
            rest = count - MAX_PER_FILE - 1
            out.insert(index, Problem(file, f"... and {rest:,} more problem{'' if rest == 1 else 's'} in this file"))
    if len(out) > MAX_TOTAL:
        rest = len(problems) - sum(1 for p in out[:MAX_TOTAL] if not p.message.startswith("... and "))
        out = [*out[:MAX_TOTAL], Problem(out[MAX_TOTAL].file, f"... and {rest:,} more problems (fix these first)")]
    return out
