"""A coordinator's own settings, remembered between runs: the solve's time limit and where to send from.

    # ~/.config/quorum/settings.toml (beside keymap.toml), or the file named by QUORUM_SETTINGS
    solve_seconds = 30
    smtp = "relay.hub.example.org:587"
    smtp_security = "starttls"

The UI writes this file when a setting is changed on its screens (the Solve screen's time limit, the Export
screen's mail relay, security and CalDAV server); the CLI reads the time limit from it too, so one default
holds everywhere. Never a password: those are typed, or read from environment variables, each time.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from rotas.sane import did_you_mean
from scheduler.errors import UserError

ENV_SETTINGS = "QUORUM_SETTINGS"
SECURITY = ("starttls", "tls", "none")
PORTS = {"starttls": 587, "tls": 465, "none": 25}  # each security's usual port (as scheduler.calendars.mail)
# A solve stops as soon as it has proven its schedule the best (the bundled example in about 2 s), so the
# limit only bites on big batches; the benchmark's 200 requests come within about 1% of the bound in 30 s.
DEFAULT_SOLVE_SECONDS = 30.0
MAX_SOLVE_SECONDS = 3600.0


@dataclass(frozen=True)
class Settings:
    solve_seconds: float = DEFAULT_SOLVE_SECONDS
    smtp: str = ""  # the mail relay, host[:port]
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_cafile: str = ""  # the hub's own certificate authority, when its relay's certificate is not public
    caldav_url: str = ""
    caldav_user: str = ""


NOT_HERE = ("password", "secret", "token")


def settings_path() -> Path:
    if os.environ.get(ENV_SETTINGS):
        return Path(os.environ[ENV_SETTINGS])
    return platformdirs.user_config_path("quorum", appauthor=False) / "settings.toml"


def solve_seconds_problem(value: Any) -> str | None:
    """Why ``value`` cannot be the solve's time limit (None if it can)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"give a number of seconds, e.g. {DEFAULT_SOLVE_SECONDS:g}"
    if not 1 <= value <= MAX_SOLVE_SECONDS:
        return f"give between 1 and {MAX_SOLVE_SECONDS:g} seconds"
    return None


def read_settings(path: Path | None = None) -> Settings:
    """The settings file, or the defaults when there is none; a mistake in it is a UserError naming the line."""
    path = path or settings_path()
    if not path.is_file():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the settings file {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML ({exc})") from exc
    known = {f.name for f in fields(Settings)}
    problems = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        if any(word in key.lower() for word in NOT_HERE):
            problems.append(
                f"{path}: {key}: never keep a password in a file; type it on the Export screen or set "
                "QUORUM_SMTP_PASSWORD or QUORUM_CALDAV_PASSWORD"
            )
        elif key not in known:
            hint = did_you_mean(key, sorted(known)) or f" (settings: {', '.join(sorted(known))})"
            problems.append(f"{path}: {key}: no such setting{hint}")
        elif key == "solve_seconds":
            why = solve_seconds_problem(value)
            if why:
                problems.append(f"{path}: solve_seconds: {why}")
            else:
                values[key] = float(value)
        elif not isinstance(value, str):
            problems.append(f'{path}: {key}: give text in double quotes, e.g. {key} = "..."')
        elif key == "smtp_security" and value not in SECURITY:
            problems.append(f"{path}: smtp_security: use one of {', '.join(SECURITY)}{did_you_mean(value, SECURITY)}")
        else:
            values[key] = value
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise UserError(f"the settings file {path} has {count}", problems)
    return Settings(**values)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings that differ from the defaults (atomically: a reader never sees half a file)."""
    path = path or settings_path()
    default = Settings()
    lines = ["# Quorum's settings, written by its UI (see the README). Never put a password here.\n"]
    for key, value in asdict(settings).items():
        if value != getattr(default, key):
            lines.append(f"{key} = {value:g}\n" if isinstance(value, float) else f"{key} = {json.dumps(value)}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    temporary.write_text("".join(lines), encoding="utf-8")
    os.replace(temporary, path)
    return path


def remember(**changes: Any) -> Settings:
    """Change some settings and save them; the others stay as they are in the file."""
    updated = replace(read_settings(), **changes)
    save_settings(updated)
    return updated
