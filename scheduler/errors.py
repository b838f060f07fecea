"""Errors a coordinator can fix (exit 2) as distinct from Quorum's own faults (exit 1)."""

from __future__ import annotations

from rotas.problems import InputError


class UserError(InputError):
    """Bad input: a wrong path, an unknown name, an invalid file. The message says what to fix."""

    exit_code = 2

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
