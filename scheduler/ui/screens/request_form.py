"""The request editor: a form checked as you type by the same rules as requests.toml; saved only when valid."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, Static

from rotas.model import Partnership
from scheduler.errors import UserError
from scheduler.services import requests
from scheduler.solver.request_file import PRESETS, RequestEntry, stored_entries
from scheduler.ui.advice import error_text, key
from scheduler.ui.screens.base import UsesServices
from scheduler.ui.widgets.confirm import Confirm
from scheduler.ui.widgets.form_parts import LABELS, WINDOWS, FormScroll, field_of
from scheduler.ui.widgets.invitees import InviteePicker, choices, from_entry


def _or(*values: object) -> object:
    """The first value given (not None): a stored field, else the kind's default."""
    return next((v for v in values if v is not None), "")


def _when(value: date | datetime | None) -> str:
    return value.isoformat() if value is not None else ""


class RequestForm(UsesServices, ModalScreen[str | None]):
    """New request, or a change to one (``request_id``); dismissed with the saved id, or None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="request_save", priority=True),
        Binding("escape", "close", "Back without saving", id="request_back"),
    ]

    def __init__(self, request_id: str | None = None) -> None:
        super().__init__()
        self.request_id = request_id
        self.touched: set[str] = set()
        self.show_all = False
        self.passed: str | None = None  # the window has passed: said beside the dates, asked about on save

    # -- building the form -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        services = self.services
        self.partnership: Partnership
        self.partnership, self.rows, _ = requests.list_requests(services.db_path, services.partnership)
        row = next((r for r in self.rows if r["id"] == self.request_id), None)
        self.revision: int | None = row["revision"] if row else None  # saving refuses if changed since
        # The stored request, typed (the one model of a request's fields): the fields start from it.
        current = stored_entries([row]).get(row["id"]) if row else None
        self.entry: RequestEntry | None = current
        self.kind: str = current.kind if current else "strategy-discussion"  # a key of PRESETS
        preset = PRESETS[self.kind]
        within = current.within if current else None
        window = "between" if within is None else ("days" if within.days is not None else "working_days")
        rooms = [(f"{r.name} (holds {r.capacity})", r.id) for r in self.partnership.rooms]
        yield Header()
        title = f"Change request {self.request_id}" if current else "New request"
        yield Static(f"{title}: Ctrl+S saves once every field is valid; Escape goes back", classes="title")
        with FormScroll(id="form"):
            yield from self.row(
                "Request id",
                Input(
                    current.id if current else "",
                    id="id",
                    disabled=current is not None,
                    placeholder="e.g. sd-10482 (lower case, digits, -)",
                ),
            )
            yield from self.row(
                "Kind",
                Select([(p.label, k) for k, p in PRESETS.items()], value=self.kind, allow_blank=False, id="kind"),
            )
            yield from self.row(
                "Case reference",
                Input(current.case if current else "", id="case", placeholder="a code such as CP-10482, never a name"),
            )
            yield from self.row(
                "Urgency",
                Select(
                    [("urgent", "urgent"), ("normal", "normal")],
                    allow_blank=False,
                    value=(current.urgency if current else None) or preset.urgency,
                    id="urgency",
                ),
            )
            yield from self.row(
                "Minutes", Input(str(_or(current and current.duration, preset.duration)), id="duration", type="integer")
            )
            yield from self.row("Window", Select(WINDOWS, value=window, allow_blank=False, id="window"))
            yield from self.row(
                "Earliest",
                Input(
                    _when(current.earliest if current else None),
                    id="earliest",
                    placeholder="date 2026-03-24 or 2026-03-24T10:00",
                ),
            )
            yield from self.row(
                "Latest",
                Input(
                    _when(current.latest if current else None),
                    id="latest",
                    placeholder="date (whole day) or date-time to end by",
                ),
            )
            yield from self.row(
                "Within",
                Input(
                    str(_or(within and within.working_days, within and within.days, "")),
                    id="within",
                    type="integer",
                    placeholder="number of days",
                ),
            )
            yield from self.row(
                "Of",
                Input(
                    str((within and (within.of_date or within.of_request)) or ""),
                    id="of",
                    placeholder="a date, or another request's id",
                ),
            )
            yield from self.row(
                "Venue",
                Input(
                    (current.venue if current else None) or preset.venue,
                    id="venue",
                    placeholder="virtual, hub, or a place such as family home",
                ),
            )
            yield from self.row(
                "Room",
                Select(
                    rooms,
                    value=(current.room if current else None) or Select.NULL,
                    id="room",
                    prompt="no room (or not at the hub)",
                ),
            )
            yield from self.row(
                "Travel min.",
                Input(str(_or(current and current.travel, preset.travel)), id="travel", type="integer"),
            )
            yield from self.row(
                "Off duty",
                Checkbox(
                    "may ask people to attend off duty (at a cost)",
                    bool(current and current.allow_off_duty),
                    id="allow_off_duty",
                ),
            )
            extra, picked = from_entry(self.partnership, current)
            yield Label("Invite: type to search, Tab to the list, Space picks", classes="title")
            yield InviteePicker(extra + choices(self.partnership), picked, id="invitees")
            yield Static(id="error-invitees", classes="field-error", markup=False)
            yield from self.row(
                "Notes",
                Input(current.notes if current else "", id="notes", placeholder="for you only: never sent in invites"),
            )
            yield Static(id="error-general", classes="field-error", markup=False)
        yield Footer(compact=True)

    def row(self, label: str, widget: Any) -> ComposeResult:
        """A labelled one-line field (compact, so the whole form fits in 80x24 with little scrolling)."""
        if isinstance(widget, Input | Select):
            widget.compact = True
        if isinstance(widget, Input):
            # The cursor at the end, nothing selected: a change form opened on the case reference had it
            # selected, and the first key typed replaced it.
            widget.select_on_focus = False
        with Horizontal(classes="field"):
            yield Label(label, classes="field-label")
            yield widget
        yield Static(id=f"error-{widget.id}", classes="field-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#case" if self.request_id else "#id", Input).focus()
        self.show_window()
        self.check()
        self.initial = self.built()  # Escape asks before dropping anything typed since

    def built(self) -> dict[str, Any] | None:
        try:
            return self.build()
        except ValueError:  # a number field half typed: certainly a change
            return None

    # -- reacting to edits -----------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id:
            self.touched.add(event.input.id)
        self.check()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "kind" and event.value != self.kind:
            self.kind = str(event.value)
            self.apply_preset()
        if event.select.id == "window":
            self.show_window()
        self.check()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.check()

    def on_invitee_picker_changed(self, event: InviteePicker.Changed) -> None:
        self.touched.add("invitees")
        self.check()

    def apply_preset(self) -> None:
        """A new kind brings its defaults (length, urgency, venue, travel), as the CLI's presets do."""
        preset = PRESETS[self.kind]
        self.query_one("#duration", Input).value = str(preset.duration)
        self.query_one("#urgency", Select).value = preset.urgency
        self.query_one("#venue", Input).value = preset.venue
        self.query_one("#travel", Input).value = str(preset.travel)

    def show_window(self) -> None:
        between = self.query_one("#window", Select).value == "between"
        for name, shown in (("latest", between), ("within", not between), ("of", not between)):
            field = self.query_one(f"#{name}", Input)
            if field.parent is not None:  # its row
                field.parent.display = shown
            self.query_one(f"#error-{name}", Static).display = shown and bool(field.value)

    # -- the request the form describes ----------------------------------------------------------

    def value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def build(self) -> dict[str, Any]:
        """The request spec, as requests.toml would hold it (defaults of the kind left out)."""
        preset = PRESETS[self.kind]
        spec: dict[str, Any] = {"id": self.value("id"), "kind": self.kind, "case": self.value("case")}
        urgency = self.query_one("#urgency", Select).value
        if urgency != preset.urgency:
            spec["urgency"] = urgency
        for name, default in (("duration", preset.duration), ("travel", preset.travel)):
            text = self.value(name)
            if text and int(text) != default:
                spec[name] = int(text)
        venue = self.value("venue")
        if venue and venue != preset.venue:
            spec["venue"] = venue
        room = self.query_one("#room", Select).value
        if room is not Select.NULL:
            spec["room"] = room
        if self.value("earliest"):
            spec["earliest"] = self.value("earliest")
        window = self.query_one("#window", Select).value
        if window == "between":
            if self.value("latest"):
                spec["latest"] = self.value("latest")
        elif self.value("within") or self.value("of"):
            within: dict[str, Any] = {}
            if self.value("within"):
                within[str(window)] = int(self.value("within"))
            of = self.value("of")
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", of):
                within["of_date"] = of
            elif of:
                within["of_request"] = of
            spec["within"] = within
        if self.query_one("#allow_off_duty", Checkbox).value:
            spec["allow_off_duty"] = True
        if self.entry is not None and self.entry.fixed is not None:
            spec["fixed"] = self.entry.fixed.isoformat()
        spec.update({k: v for k, v in self.query_one(InviteePicker).spec().items() if v})
        if self.value("notes"):
            spec["notes"] = self.value("notes")
        return spec

    def check(self) -> list[tuple[str, str]]:
        """Show each problem beside its field (once the field is touched, or after a save attempt)."""
        if not self.is_mounted:
            return []
        request, problems = requests.check_request(
            self.partnership, self.rows, self.build(), replace=self.request_id is not None
        )
        by_field: dict[str, list[str]] = {}
        for where, message in problems:
            by_field.setdefault(field_of(where), []).append(message)
        # Not a problem (a request kept on record may be saved after a yes), but said where the dates are.
        self.passed = requests.window_passed(self.partnership, request, self.services.now) if request else None
        if self.passed:
            where = "latest" if self.query_one("#window", Select).value == "between" else "within"
            by_field.setdefault(where, []).append(f"{self.passed}: it could never be placed")
            self.touched.add(where)
        for error in self.query(".field-error").results(Static):
            name = (error.id or "").removeprefix("error-")
            shown = self.show_all or name in self.touched or name == "general"
            messages = by_field.pop(name, []) if shown else []
            error.update("\n".join(f"! {m}" for m in messages))
            error.display = bool(messages)
        if by_field and self.show_all:  # problems of fields the form does not show (e.g. a fixed time)
            general = self.query_one("#error-general", Static)
            general.update("\n".join(f"! {k}: {m}" for k, ms in by_field.items() for m in ms))
            general.display = True
        return problems

    # -- actions ---------------------------------------------------------------------------------

    def action_save(self) -> None:
        self.show_all = True
        problems = self.check()
        if problems:
            self.show_first_problem(problems)
            return
        if self.passed:

            def answered(yes: bool | None) -> None:
                if yes:
                    self.save(allow_past=True)

            self.app.push_screen(
                Confirm(
                    f"{self.value('id')}: {self.passed}, so it could never be placed. Save it anyway, to keep it "
                    "on record? (No: change Earliest and Latest first.)"
                ),
                answered,
            )
            return
        self.save()

    def show_first_problem(self, problems: list[tuple[str, str]]) -> None:
        """A refused save takes the coordinator to the first problem (it may be below the fold at 80x24) and
        says it, not only how many there are."""
        name = field_of(problems[0][0])
        target = {"invitees": InviteePicker, "general": None}.get(name, f"#{name}")
        widget = None
        if target is not None:
            found = self.query(target)
            widget = found.first() if found else None
        error = self.query(f"#error-{name}")
        if widget is not None and widget.focusable:
            widget.focus()
        if error:  # after the focus has scrolled to the field: the line under it must be in sight too
            self.call_after_refresh(self.query_one(FormScroll).scroll_to_widget, error.first(), animate=False)
        label = LABELS.get(name, name)
        more = f" (and {len(problems) - 1} more, marked with !)" if len(problems) > 1 else ""
        self.notify(f"Not saved: {label}: {problems[0][1]}{more}", severity="warning", timeout=10)

    def save(self, allow_past: bool = False) -> None:
        services = self.services
        try:
            request = requests.put_request(
                services.db_path,
                services.partnership,
                self.build(),
                replace=self.request_id is not None,
                revision=self.revision,
                now=services.now,
                allow_past=allow_past,
            )
        except UserError as exc:
            details = "".join(f"\n{d}" for d in exc.details[:5])
            self.notify(error_text(exc, self.app) + details, severity="error", timeout=10)
            return
        if allow_past:
            self.notify(f"Saved {request.id}: {request.label.lower()}, case {request.case}; its window has passed.")
        else:
            self.notify(
                f"Saved {request.id}: {request.label.lower()}, case {request.case}. "
                f"Solve ({key(self.app, 'solve')}) to place it."
            )
        self.dismiss(request.id)

    def action_close(self) -> None:
        """Escape leaves at once when nothing was changed; after typing, it asks (a half-filled form
        dropped silently was the coordinator's work lost)."""
        if self.built() == self.initial:
            self.dismiss(None)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        self.app.push_screen(Confirm("Leave without saving? What you typed in this form is lost."), answered)
