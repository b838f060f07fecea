"""A coordinator's own keys: keymap.toml maps binding ids (shown in docs and by ?) to keys.

    # ~/.config/quorum/keymap.toml (or the file named by QUORUM_KEYMAP)
    solve = "f5"
    schedule_lock = "ctrl+l"

Every binding has an id for this; an unknown id or a value that is not a key is an error,
reported before the UI starts, like any other bad input.
"""

from __future__ import annotations

import functools
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


@functools.cache
def default_keys() -> dict[str, str]:
    """Every binding id in the app and its screens and dialogs, with its key before keymap.toml."""
    from textual.binding import Binding

    from scheduler.ui import app as app_module
    from scheduler.ui.screens.base import SearchScreen, WeekScreen
    from scheduler.ui.screens.history import HistoryScreen
    from scheduler.ui.screens.request_form import RequestForm
    from scheduler.ui.widgets.choose import Choose
    from scheduler.ui.widgets.confirm import Confirm
    from scheduler.ui.widgets.search_bar import SearchInput

    classes = [
        app_module.QuorumApp,
        *app_module.QuorumApp.MODES.values(),
        WeekScreen,
        SearchScreen,
        HistoryScreen,
        SearchInput,
        RequestForm,
        Choose,
        Confirm,
    ]
    return {b.id: b.key for cls in classes for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding) and b.id}


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
