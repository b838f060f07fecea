"""The coordinator's terminal UI (Textual). Nothing outside this package imports Textual."""

from scheduler.ui.app import QuorumApp, UiServices, create_app

__all__ = ["QuorumApp", "UiServices", "create_app"]
