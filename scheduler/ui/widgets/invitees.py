"""A searchable list of people, teams, agencies and roles to invite; picks survive a change of search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, SelectionList, Static
from textual.widgets.selection_list import Selection

from rotas.model import Partnership
from scheduler.solver.request_file import RequestEntry
from scheduler.ui.widgets.marked import MarkedSelectionList


@dataclass(frozen=True)
class Choice:
    """One thing that can be invited: a named person, or a role slot the solver fills."""

    value: str  # "person:ID", "team:ID", "agency:ID", "role:NAME" or "keep:N" (a slot kept as it was)
    label: str
    entry: dict[str, Any]  # how it goes into the request spec
    is_person: bool
    search: str = ""  # extra words a search matches (ids of the person, team and agency)


def choices(p: Partnership) -> list[Choice]:
    """Everything invitable, people first, so a search for a name or a team finds it."""
    teams = {t.id: t.name for t in p.teams}
    agencies = {a.id: a.name for a in p.agencies}
    out = [
        Choice(
            f"person:{x.id}",
            f"{x.name} · {x.role} · {teams.get(x.team, x.team)}",
            {"person": x.id},
            True,
            f"{x.id} {x.team} {x.agency} {agencies.get(x.agency, '')}",
        )
        for x in sorted(p.people, key=lambda x: (x.agency, x.team, x.name))
    ]
    out += [
        Choice(f"team:{t.id}", f"Any one from {t.name} (team)", {"team": t.id}, False, f"{t.id} {t.agency}")
        for t in p.teams
    ]
    out += [
        Choice(f"agency:{a}", f"Any one from {name} (agency)", {"agency": a}, False) for a, name in agencies.items()
    ]
    roles = sorted({x.role for x in p.people if x.role})
    out += [Choice(f"role:{r}", f"Any one {r} (role)", {"role": r}, False) for r in roles]
    return out


def from_entry(p: Partnership, entry: RequestEntry | None) -> tuple[list[Choice], list[str]]:
    """The choices a stored request already makes (slots with extra detail kept exactly as they were)."""
    extra: list[Choice] = []
    picked: list[str] = []
    if entry is None:
        return extra, picked
    people = {x.id: x.name for x in p.people}
    for inv in entry.invite:
        if inv.required:
            picked.append(f"person:{inv.person}")
        else:
            label = f"{people.get(inv.person, inv.person)} (optional)"
            extra.append(Choice(f"keep-person:{inv.person}", label, inv.model_dump(exclude_defaults=True), True))
            picked.append(extra[-1].value)
    for i, slot in enumerate(entry.slots):
        given = slot.model_dump(exclude_defaults=True)
        simple = {"team", "agency", "role"} & set(given)
        if len(given) == 1 and simple:
            (key,) = simple
            picked.append(f"{key}:{given[key]}")
        else:
            label = slot.label or ", ".join(f"{k} {v}" for k, v in given.items() if k != "prefer")
            extra.append(Choice(f"keep:{i}", f"{label} (slot as saved)", given, False))
            picked.append(extra[-1].value)
    return extra, picked


class InviteePicker(Vertical):
    """Type to narrow the list; space or a click picks. What is picked stays picked whatever the search."""

    class Changed(Message):
        def __init__(self, picker: InviteePicker) -> None:
            super().__init__()
            self.picker = picker

    def __init__(self, options: list[Choice], picked: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.options = {c.value: c for c in options}
        self.picked = [v for v in picked if v in self.options]

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search people, teams, agencies, roles", id="invitee-search", compact=True)
        yield MarkedSelectionList(id="invitee-list")
        yield Static(id="invitee-summary", markup=False)

    def on_mount(self) -> None:
        self.show("")

    def show(self, query: str) -> None:
        words = query.lower().split()
        listing = self.query_one("#invitee-list", MarkedSelectionList)
        listing.clear_options()
        listing.add_options(
            Selection(c.label, c.value, c.value in self.picked, id=c.value)
            for c in self.options.values()
            if all(w in f"{c.label} {c.value} {c.search}".lower() for w in words)
        )
        listing.mark()
        if listing.option_count:
            listing.highlighted = 0  # Space picks the first match straight after Tab
        self.summarise()

    def summarise(self) -> None:
        names = [self.options[v].label.split(" · ")[0].split(" (")[0] for v in self.picked]
        text = f"Invited ({len(names)}): " + ("; ".join(names) if names else "nobody yet")
        self.query_one("#invitee-summary", Static).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "invitee-search":
            event.stop()
            self.show(event.value)

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        event.stop()
        value = str(event.selection.value)
        if value in self.picked:
            self.picked.remove(value)
        else:
            self.picked.append(value)
        self.summarise()
        self.post_message(self.Changed(self))

    def spec(self) -> dict[str, list[dict[str, Any]]]:
        """The picks as the request's ``invite`` and ``slots`` lists."""
        chosen = [self.options[v] for v in self.picked]
        return {
            "invite": [c.entry for c in chosen if c.is_person],
            "slots": [c.entry for c in chosen if not c.is_person],
        }
