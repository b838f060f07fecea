"""Errors a coordinator can fix (exit 2) as distinct from Quorum's own faults (exit 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rotas.problems import InputError

if TYPE_CHECKING:
    from scheduler.advice import Step


class UserError(InputError):
    """Bad input: a wrong path, an unknown name, an invalid file. The message says what is wrong; ``advice``
    (scheduler.advice) what to do about it, which the CLI says as commands and the UI as keys and fields."""

    exit_code = 2

    def __init__(self, message: str, details: list[str] | None = None, advice: list[Step] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.advice = list(advice or [])


def why(exc: BaseException) -> str:
    """A network or file failure in a coordinator's words, not the exception's class name
    ('the connection was refused', not 'ConnectionRefusedError'). An HTTP library's error wraps the socket's
    (requests wraps urllib3 wraps the OS's): the first cause that is said in words is used."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        words = _words(current)
        if words is not None:
            return words
        todo += [x for x in (current.__cause__, current.__context__, getattr(current, "reason", None)) if x]
        todo += [x for x in getattr(current, "args", ()) if isinstance(x, BaseException)]
    text = str(exc)
    for marker, words in _TEXTS:
        if marker in text:
            return words
    return text.strip()[:200] or "it failed without saying why"


_REFUSED = "the connection was refused: nothing is listening there (is the server running, and the port right?)"
_UNKNOWN = "that server name is not known (check the address)"
_TEXTS = (
    ("Connection refused", _REFUSED),
    ("Name or service not known", _UNKNOWN),
    ("nodename nor servname", _UNKNOWN),
    ("timed out", "no answer in time (is the address right, and the network up?)"),
)


def _words(exc: BaseException) -> str | None:
    import socket  # loaded when a failure is told, not at every start
    import ssl

    if isinstance(exc, ConnectionRefusedError):
        return _REFUSED
    if isinstance(exc, socket.gaierror):
        return _UNKNOWN
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer in time (is the address right, and the network up?)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "its certificate cannot be trusted"
    if isinstance(exc, ssl.SSLError):
        return "the secure connection failed (is the security setting right for this port?)"
    if isinstance(exc, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
        return "the server closed the connection"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "no such file or folder"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[:1].lower() + exc.strerror[1:]
    return None
