"""A coordinator's own keys: keymap.toml maps binding ids (shown in docs and by ?) to keys.

    # ~/.config/quorum/keymap.toml (or the file named by QUORUM_KEYMAP)
    solve = "f5"
    schedule_lock = "ctrl+l"

Every binding has an id for this; an unknown id or a value that is not a key is an error,
reported before the UI starts, like any other bad input.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import platformdirs

from rotas.sane import did_you_mean
from scheduler.errors import UserError

ENV_KEYMAP = "QUORUM_KEYMAP"
KEY = re.compile(r"^[a-z0-9_+]+(,[a-z0-9_+]+)*$")


def keymap_path() -> Path:
    if os.environ.get(ENV_KEYMAP):
        return Path(os.environ[ENV_KEYMAP])
    return platformdirs.user_config_path("quorum", appauthor=False) / "keymap.toml"


def binding_ids() -> set[str]:
    """Every binding id in the app and its screens and dialogs."""
    return set(default_keys())


def default_keys() -> dict[str, str]:
    """Every binding id of the app, its screens, dialogs and widgets, with its key before keymap.toml.

    Read from the classes themselves: every Textual class of this package that declares bindings (the app
    module imports them all before any key is read), so a new screen's keys count without a list to keep.
    """
    from textual.binding import Binding
    from textual.dom import DOMNode

    out: dict[str, str] = {}
    for cls in _ours(DOMNode):
        for b in cls.__dict__.get("BINDINGS", []):
            if isinstance(b, Binding) and b.id:
                out.setdefault(b.id, b.key)
    return out


def _ours(base: type) -> list[type]:
    """``base``'s subclasses (all generations) defined in scheduler.ui, in a fixed order."""
    seen: dict[str, type] = {}
    stack = [base]
    while stack:
        subclasses: list[type] = stack.pop().__subclasses__()
        for sub in subclasses:
            name = f"{sub.__module__}.{sub.__qualname__}"
            if name not in seen:
                seen[name] = sub
                stack.append(sub)
    return [cls for name, cls in sorted(seen.items()) if name.startswith("scheduler.ui.")]


def read_keymap(path: Path | None = None) -> dict[str, str]:
    path = path or keymap_path()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the keymap {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML ({exc})") from exc
    known = binding_ids()
    problems = []
    for key, value in data.items():
        if key not in known:
            # One slip of a letter: the id meant; otherwise where the ids are listed, not all fifty of them.
            same = sorted(i for i in known if i.split("_")[0] == key.split("_")[0])
            hint = did_you_mean(key, sorted(known)) or f" (ids: {', '.join(same or sorted(known))})"
            problems.append(f"{path}: {key}: no binding has this id{hint}")
        elif not isinstance(value, str) or not KEY.match(value):
            problems.append(f'{path}: {key}: give keys such as "f5", "ctrl+l" or "x,delete"')
    if problems:
        raise UserError(f"the keymap {path} has {len(problems)} problem{'' if len(problems) == 1 else 's'}", problems)
    return dict(data)
