"""Welcome: load a partnership folder (typed or picked in a folder tree) or the bundled example."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DirectoryTree, Footer, Header, Input, LoadingIndicator, Static
from textual.widgets.directory_tree import DirEntry

from scheduler.errors import UserError, why
from scheduler.paths import example_folder
from scheduler.services import partnership as data
from scheduler.ui.screens.base import UsesServices

INTRO = (
    "Welcome to Quorum. Load a partnership folder (partnership.toml, agencies.toml, teams.toml, "
    "patterns.toml, people.toml, and optionally requests.toml): pick it in the tree below and press l, "
    "or press Tab to the path box above, type its path and press Enter. Press e to try the bundled "
    "example partnership instead."
)


class FoldersOnly(DirectoryTree):
    """Partnerships are folders: files would only be noise in the picker."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if p.is_dir() and not p.name.startswith(".")]


class WelcomeScreen(UsesServices, Screen[None]):
    BINDINGS = [
        Binding("l", "load_folder", "Load folder", id="welcome_load"),
        Binding("e", "load_example", "Load the example", id="welcome_example"),
    ]
    AUTO_FOCUS = "#tree"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(INTRO, classes="title", markup=False)
        yield Static(f"Database: {self.services.db_path}", classes="title", markup=False)
        with Horizontal(classes="field"):
            yield Input(str(self.services.browse_from), id="folder", placeholder="path to a partnership folder")
            yield Button("Load folder (l)", id="load", variant="primary")
            yield Button("Example (e)", id="example")
        yield FoldersOnly(self.services.browse_from, id="tree")
        yield LoadingIndicator(id="loading")
        with VerticalScroll(id="problems-box"):  # Tab reaches it: every problem can be read here
            yield Static(id="problems", classes="panel", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#loading").display = False
        self.query_one("#problems").display = False

    def on_directory_tree_directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        self.query_one("#folder", Input).value = str(event.path)

    def on_tree_node_highlighted(self, event: DirectoryTree.NodeHighlighted[DirEntry]) -> None:
        entry = event.node.data  # a DirEntry: the folder under the cursor
        if entry is not None and hasattr(entry, "path"):
            self.query_one("#folder", Input).value = str(entry.path)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_load_folder()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "example":
            self.action_load_example()
        else:
            self.action_load_folder()

    def action_load_folder(self) -> None:
        folder = Path(self.query_one("#folder", Input).value.strip()).expanduser()
        self.start(folder)

    def action_load_example(self) -> None:
        try:
            folder = example_folder()
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            return
        self.start(folder)

    def start(self, folder: Path) -> None:
        self.query_one("#loading").display = True
        self.query_one("#problems").display = False
        self.load(folder)

    @work(thread=True, exclusive=True, group="load")
    def load(self, folder: Path) -> None:
        """Checking a big partnership takes a moment: off the UI thread, so keys keep working."""
        try:
            summary = data.load(self.services.db_path, folder)
        except UserError as exc:
            self.app.call_from_thread(self.failed, exc.message, exc.details)
        except Exception as exc:  # keep the app alive and say what happened
            self.app.call_from_thread(
                self.failed, f"loading failed ({why(exc)}); this is a fault in Quorum: please report it", []
            )
        else:
            self.app.call_from_thread(self.loaded, summary.partnership, summary.line())

    def failed(self, message: str, details: list[str]) -> None:
        self.query_one("#loading").display = False
        problems = self.query_one("#problems", Static)
        more = " (Tab, then ↓ to read them all)" if len(details) > 8 else ""
        problems.update("\n".join([message + more, *details]))
        problems.display = True
        self.notify(message, severity="error", timeout=10)

    def loaded(self, partnership: str, line: str) -> None:
        self.query_one("#loading").display = False
        self.notify(line, timeout=8)
        # The UI works on what was just loaded, also when the database holds other partnerships.
        self.services.partnership = partnership
        self.app.partnership_loaded()
