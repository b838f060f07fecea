"""Advice on the screen: a Step (scheduler.advice) said as the keys, fields and buttons that do it.

The command line says the same Step as a command; here it is "press Enter on pm-30009 in Requests (a),
then change Earliest and Latest". Keys follow the coordinator's keymap.toml.
"""

from __future__ import annotations

from typing import Any

from scheduler.advice import Step, steps
from scheduler.errors import UserError

FIELD_LABELS = {
    "earliest": "Earliest",
    "latest": "Latest",
    "within": "Within and Of",
    "allow_off_duty": "Off duty",
    "invite": "Invite",
    "venue": "Venue",
    "fixed": "Earliest and Latest",
}
SECURITY_WORDS = {"starttls": "STARTTLS", "tls": "TLS", "none": "None (no encryption)"}
_SHOWN = {"enter": "Enter", "delete": "Del", "escape": "Esc", "space": "Space", "tab": "Tab"}


def key_text(key: str) -> str:
    """'enter' as Enter, 'ctrl+s' as Ctrl+S: the first key when a binding has several."""
    first = key.split(",")[0].strip()
    if first in _SHOWN:
        return _SHOWN[first]
    if "+" in first:
        return "+".join(part.capitalize() if len(part) > 1 else part.upper() for part in first.split("+"))
    return first


def key(app: Any, binding_id: str) -> str:
    """The key that does ``binding_id`` in this app, as shown to the coordinator."""
    from scheduler.ui.keymap import default_keys  # the app's classes, read once they are all defined

    keymap = getattr(getattr(app, "services", None), "keymap", None) or {}
    return key_text(keymap.get(binding_id) or default_keys()[binding_id])


def on_screen(step: Step, app: Any) -> str | None:
    """How to do ``step`` in the UI; None when the UI has no way (the Step is then left out)."""
    rid = {None: "it", "ID": "each"}.get(step.request, step.request)

    def k(binding_id: str) -> str:
        return key(app, binding_id)

    match step.how:
        case "edit_request":
            labels = list(dict.fromkeys(FIELD_LABELS[f] for f in step.fields))
            change = (
                "tick Off duty" if labels == ["Off duty"] else "change " + (" and ".join(labels) or "what is named")
            )
            if step.value and any(f in ("latest", "earliest") for f in step.fields):
                change += f" (e.g. {step.value})"
            elif step.value and "invite" in step.fields:
                change += f" (add {step.value})"
            if step.request is None:  # the request in the form on the screen
                return change
            return f"press {k('requests_change')} on {rid} in Requests ({k('requests')}), then {change}"
        case "remove_request":
            return f"select {rid} in Requests ({k('requests')}) and press {k('requests_remove')}"
        case "move_meeting":
            return (
                f"select {rid} in Schedule ({k('schedule')}): {k('schedule_move_1')} or {k('schedule_move_2')} "
                f"moves it to an alternative, {k('schedule_lock')} unlocks a locked one"
            )
        case "place_meeting":
            return (
                f"press {k('requests_change')} on {rid} in Requests ({k('requests')}), set Earliest and Latest "
                f"around the time you want, then solve again ({k('solve')}, {k('solve_start')})"
            )
        case "unlock_meeting":
            return f"select {rid} in Schedule ({k('schedule')}) and press {k('schedule_lock')} to unlock it"
        case "solve":
            return f"press {k('solve_start')} on Solve ({k('solve')})"
        case "solve_longer":
            return f"raise Time limit on Solve ({k('solve')}), then press {k('solve_start')}"
        case "mail_security":
            choice = f"choose {SECURITY_WORDS.get(step.value or '', step.value)} under Mail security"
            port = f" and give port {step.port} in Mail relay (e.g. relay.example.org:{step.port})" if step.port else ""
            return f"{choice}{port}, then press {k('export_send')}"
        case "mail_no_user":
            return "leave Mail user empty"
        case "mail_cafile":
            return 'name the hub\'s certificate authority file in settings.toml (smtp_cafile = "/path/to/ca.pem")'
        case "publish_overwrite":
            return f"tick Replace edited events, then press {k('export_publish')}"
        case "solve_period" | None:
            return None
    return None


def step_text(step: Step, app: Any) -> str | None:
    """'give it new dates: press Enter on pm-30009 in Requests (a), then change Earliest and Latest'."""
    if step.how is None:
        return step.what
    how = on_screen(step, app)
    return f"{step.what}: {how}" if how else None


def advice_lines(items: list[Any], app: Any) -> list[str]:
    """Stored advice (dicts), Steps or plain suggestions, as the lines the UI shows (left out: what the
    UI cannot do)."""
    out = []
    for item in items:
        step = Step.from_json(item) if isinstance(item, dict | str) else item
        text = step_text(step, app)
        if text:
            out.append(text)
    return out


def error_text(exc: UserError, app: Any) -> str:
    """A UserError with its advice, as one notification: 'the mail server ... does not offer STARTTLS:
    use TLS from the start: choose TLS under Mail security and give port 465 in Mail relay'."""
    lines = advice_lines(steps(exc.advice), app)
    return exc.message + "".join(f"\n- {line}" for line in lines)
