"""The Quorum app: built by one factory, shared by the CLI and the tests, with its services injected."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from scheduler import today as clock
from scheduler.errors import UserError
from scheduler.services import partnership as data
from scheduler.services.settings import DEFAULT_SOLVE_SECONDS
from scheduler.ui.advice import key
from scheduler.ui.commands import IN_SCHEDULE, QuorumFinder
from scheduler.ui.navigation import SCREENS
from scheduler.ui.screens.base import SearchScreen
from scheduler.ui.screens.request_form import RequestForm
from scheduler.ui.screens.requests import RequestsScreen
from scheduler.ui.screens.schedule import ScheduleScreen
from scheduler.ui.screens.solve import SolveScreen
from scheduler.ui.screens.welcome import WelcomeScreen
from scheduler.ui.widgets.confirm import Confirm
from scheduler.ui.widgets.keys_panel import KeysPanel


@dataclass
class UiServices:
    """What the screens need: where the data is and what 'today' is (frozen in tests)."""

    db_path: Path
    partnership: str | None = None
    today: date = field(default_factory=clock.today)
    demo: bool = False
    browse_from: Path = field(default_factory=Path.cwd)  # where the welcome screen's folder picker starts
    solve_seconds: float = DEFAULT_SOLVE_SECONDS  # the solver's time limit (settings.toml); x stops it sooner
    keymap: dict[str, str] = field(default_factory=dict)  # keymap.toml: advice names the keys as they are
    notes: list[str] = field(default_factory=list)  # what to tell at the start (a solve cut short last time)

    @property
    def now(self) -> datetime:
        """What solving and moving count from: the real time today, else the start of the frozen day."""
        real = clock.now()
        return real if real.date() == self.today else datetime.combine(self.today, time(0), UTC)


class QuorumApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Quorum"
    # Ctrl+P finds requests, cases and people too, beside the screens and actions.
    COMMANDS = App.COMMANDS | {QuorumFinder}
    MODES = {"welcome": WelcomeScreen, **{d.mode: d.load() for d in SCREENS}}  # one list: navigation.SCREENS
    DEFAULT_MODE = "dashboard"
    # Help first: in a narrow terminal the footer cuts off at the right, and ? lists everything.
    BINDINGS = [
        Binding("question_mark", "toggle_help", "Help", key_display="?", id="help"),
        Binding("escape", "hide_help_panel", "Close help", show=False, id="help_close"),
        # The screens' keys are in the bar under the title (NavBar), not the footer.
        *(Binding(d.key, f"switch_mode('{d.mode}')", d.title, show=False, id=d.mode) for d in SCREENS),
        Binding("n", "new_request", "New request", show=False, id="new_request"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(self, services: UiServices, *, loaded: bool = True) -> None:
        self.loaded = loaded
        # Textual reads the starting mode while initialising: an empty database starts on the welcome screen.
        # Textual declares DEFAULT_MODE a ClassVar but reads it from the instance, so this one app's can differ.
        self.DEFAULT_MODE = "dashboard" if loaded else "welcome"  # type: ignore[misc]
        super().__init__()
        self.services = services

    solving: SolveScreen | None = None  # the Solve screen while its solve runs (quitting asks first)

    def on_mount(self) -> None:
        self.sub_title = self.describe()
        for note in self.services.notes:
            self.notify(note, severity="warning", timeout=30)

    def describe(self) -> str:
        if not self.loaded:
            return "no partnership loaded"
        try:
            p = data.open_partnership(self.services.db_path, self.services.partnership)
        except UserError as exc:
            return exc.message
        # The date first: a narrow terminal cuts the title's end, and the date is what must not be lost.
        demo = " (demo)" if self.services.demo else ""
        return f"{self.services.today:%a %d %b %Y}{demo} · {p.name}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Until a partnership is loaded, only the welcome screen has anything to show."""
        if not self.loaded and (action == "new_request" or (action == "switch_mode" and parameters != ("welcome",))):
            return None  # shown, but disabled
        return True

    def partnership_loaded(self) -> None:
        self.loaded = True
        self.sub_title = self.describe()
        self.refresh_bindings()
        self.switch_mode("dashboard")

    def action_toggle_help(self) -> None:
        """? opens the keys panel and closes it again (Textual's own action only opens it)."""
        if self.screen.query(KeysPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_show_help_panel(self) -> None:
        """Quorum's own list of keys (this screen's first), also from the palette's "Keys"."""
        if not self.screen.query(KeysPanel):
            self.screen.mount(KeysPanel(), before=0)

    def action_hide_help_panel(self) -> None:
        self.screen.query(KeysPanel).remove()

    def quit_key(self) -> str:
        return key(self, "quit")

    async def action_quit(self) -> None:
        self.quit_or_ask()

    def quit_or_ask(self) -> None:
        """Quitting during a solve asks first, and then says what it is doing while the solve stops."""
        solving = self.solving
        if solving is None or not solving.running:
            self.exit()
            return
        if solving.quitting:
            self.notify(solving.stopping_words(), timeout=10)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                solving.stop_and_quit()

        self.push_screen(
            Confirm(
                "A solve is running. Stop it, keep the best schedule it has found so far, and quit? "
                "(No: it carries on.)"
            ),
            answered,
        )

    def action_help_quit(self) -> None:
        """Ctrl+C: during a solve, as q; otherwise say the quit key this app really has (not Textual's ctrl+q)."""
        if self.solving is not None and self.solving.running:
            self.quit_or_ask()
            return
        self.notify(
            f"Press {self.quit_key()} to quit (Ctrl+C copies the selected text in a field)",
            title="Do you want to quit?",
        )

    async def action_new_request(self) -> None:
        """A new request from anywhere: the form opens over the request list, which then shows it."""
        await self.switch_mode("requests")
        screen = self.screen
        self.push_screen(RequestForm(), screen.after_form if isinstance(screen, RequestsScreen) else None)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The main actions in the command palette (Ctrl+P), beside Textual's own."""
        if self.loaded:
            for d in SCREENS:
                yield SystemCommand(f"Go to {d.title} ({d.key})", d.purpose, lambda mode=d.mode: self.switch_mode(mode))
            yield SystemCommand("New request (n)", "Open the request form", self.action_new_request)
            yield SystemCommand("Solve now", "Place the pending requests (on the Solve screen)", self.solve_now)
            yield SystemCommand("Write calendars", "Write invites and team calendars to a folder", self.write_now)
            yield SystemCommand(
                "Undo the last decision (u)", "Take back the last lock, move, cancel or change", self.undo_last
            )
            yield SystemCommand(
                "Decision history (h)", "Locks, moves, cancellations and changes, with undo", self.show_history
            )
            yield SystemCommand(
                "Search the list (/)", "Filter this screen's list by id, case or name", self.search_list
            )
        yield SystemCommand(
            "Load a partnership folder", "Check a folder and load it (or the example)", self.open_welcome
        )
        yield from super().get_system_commands(screen)

    async def schedule_screen(self) -> ScheduleScreen:
        await self.switch_mode("schedule")
        screen = self.screen
        assert isinstance(screen, ScheduleScreen)
        return screen

    async def open_request(self, rid: str, state: str) -> None:
        """A request found in the palette: on the schedule when it has been solved, else in the list."""
        if state in IN_SCHEDULE:
            (await self.schedule_screen()).select(rid)
            return
        await self.switch_mode("requests")
        screen = self.screen
        if isinstance(screen, RequestsScreen):
            screen.select(rid)

    async def change_request(self, rid: str) -> None:
        await self.switch_mode("requests")
        screen = self.screen
        if isinstance(screen, RequestsScreen):
            screen.select(rid)
            self.push_screen(RequestForm(rid), screen.after_form)

    async def cancel_meeting(self, rid: str) -> None:
        screen = await self.schedule_screen()
        screen.select(rid)
        screen.action_cancel_meeting()

    async def search_in(self, mode: str, text: str) -> None:
        await self.switch_mode(mode)
        screen = self.screen
        if isinstance(screen, SearchScreen):
            screen.search_for(text)

    async def undo_last(self) -> None:
        (await self.schedule_screen()).action_undo()

    async def show_history(self) -> None:
        (await self.schedule_screen()).action_history()

    async def search_list(self) -> None:
        screen = self.screen
        if not isinstance(screen, SearchScreen):
            await self.switch_mode("requests")
            screen = self.screen
        if isinstance(screen, SearchScreen):
            screen.action_search()

    def open_welcome(self) -> None:
        self.switch_mode("welcome")

    async def solve_now(self) -> None:
        await self.switch_mode("solve")
        await self.screen.run_action("start")

    async def write_now(self) -> None:
        await self.switch_mode("export")
        await self.screen.run_action("write")


def create_app(
    db_path: Path,
    partnership: str | None = None,
    today: date | None = None,
    *,
    demo: bool = False,
    keymap_file: Path | None = None,
    solve_seconds: float | None = None,
) -> QuorumApp:
    """The app on ``db_path``, with the coordinator's keymap and settings applied (a mistake in either is
    a UserError, said before the UI starts); ``solve_seconds`` overrides the settings' time limit."""
    from scheduler.services import interruptions
    from scheduler.services.settings import read_settings
    from scheduler.ui.keymap import read_keymap

    keymap = read_keymap() if keymap_file is None else read_keymap(keymap_file)
    settings = read_settings()
    loaded = bool(data.loaded_partnerships(db_path))
    services = UiServices(
        db_path,
        partnership,
        today or clock.today(),
        demo,
        solve_seconds=solve_seconds if solve_seconds is not None else settings.solve_seconds,
        keymap=dict(keymap),
        notes=interruptions.notes(db_path) if loaded else [],
    )
    app = QuorumApp(services, loaded=loaded)
    if keymap:
        app.set_keymap(keymap)
    return app
