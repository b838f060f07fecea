"""The ``quorum`` command: one module per group of commands, plus the text rendering they share.

May import every other stage (it is the entry point, and opens the UI); nothing imports it but ``__main__``.
"""

from scheduler.cli.main import main

__all__ = ["main"]
