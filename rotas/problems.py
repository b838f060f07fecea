"""Problems found in a partnership folder, worded for a coordinator.

Every check collects problems instead of stopping at the first, so one run of
``quorum check`` lists everything that needs fixing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one file, located as precisely as the parser allows."""

    file: str
    message: str
    key: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}: {self.message}"
        if self.key:
            return f"{self.file}: {self.key}: {self.message}"
        return f"{self.file}: {self.message}"


def key_path(*parts: str | int) -> str:
    """Render a location such as ``people[3].email`` the way it reads in the file."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
