"""The HTTP session the CalDAV client talks through: one server only, each request under a deadline and a
size cap, and no document type (DTD) in an answer.

The ``caldav`` library sends every request through its client's ``session.request``; this stands in front
of the session it made. A server that names a principal or calendar home on another host would have the
client send the password there: refused (``OtherHost``), the coordinator told which host it was. An answer
is read as it comes, up to ``netlimits.HTTP_CAP`` bytes, within ``netlimits.EXCHANGE_S`` for the whole
request however slowly the server sends it. CalDAV answers never need a DTD; one that declares entities is
how an "entity bomb" starts, so it is refused before any XML parser sees it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from scheduler.calendars import netlimits
from scheduler.calendars.netlimits import Exchange, TooLarge

DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
ROOT = re.compile(rb"<[A-Za-z_]")  # the first element: a DTD can only come before it


class OtherHost(Exception):
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        super().__init__(f"{parts.scheme}://{parts.netloc}")
        self.origin = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


class BadXml(Exception):
    """An answer with a DTD or entity declarations in it."""


class Answer:
    """What caldav reads of a response, with the body already read (and capped)."""

    def __init__(self, response: Any, body: bytes) -> None:
        self.status_code: int = response.status_code
        self.headers = response.headers
        self.reason = response.reason
        self.url = response.url
        self.content = body
        self.encoding = response.encoding or "utf-8"

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding, "replace")

    @property
    def status(self) -> int:
        return self.status_code


def origin_of(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


class GuardedSession:
    """Stands in for the caldav client's HTTP session (anything else is passed through to it)."""

    def __init__(self, inner: Any, url: str, deadline: float | None = None, cap: int | None = None) -> None:
        self.inner, self.origin = inner, origin_of(url)
        self.deadline = deadline or netlimits.EXCHANGE_S
        self.cap = cap or netlimits.HTTP_CAP
        self.shown = f"{self.origin[0]}://{self.origin[1]}" + (f":{self.origin[2]}" if self.origin[2] else "")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def request(self, method: str, url: str, **kwargs: Any) -> Answer:
        if origin_of(url) != self.origin:
            raise OtherHost(url)
        kwargs["stream"] = True
        kwargs["allow_redirects"] = False  # a redirect to another host must not carry the password there
        what = f"the CalDAV server at {self.shown}"
        with Exchange(what, self.deadline, self.inner.close):
            response = self.inner.request(method, url, **kwargs)
            body = bytearray()
            for chunk in response.iter_content(65536):
                body += chunk
                if len(body) > self.cap:
                    response.close()
                    raise TooLarge(what, self.cap)
        if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):  # XML (an iCalendar body is not)
            root = ROOT.search(body)
            if DTD.search(body, 0, root.start() if root else len(body)):
                raise BadXml(what)
        return Answer(response, bytes(body))

    def close(self) -> None:
        self.inner.close()
