"""E-mail addresses as a mail relay takes them: what ``check`` refuses, what it warns of, and the form
that goes on the wire.

A domain in another script (``bücher.example``) is fine anywhere once written in its ASCII form (IDNA:
``xn--bcher-kva.example``), which is how it is sent. A user name (before the @) in another script can
only travel through a relay that offers SMTPUTF8 (RFC 6531): ``check`` warns, and sending refuses that
one message, saying why, when the relay does not offer it. Anything a relay cannot take at all (two @,
spaces, a label over 63 letters, a domain that is not a host name) is refused at ``check``.
"""

from __future__ import annotations

import re
from email.errors import HeaderParseError, NonASCIILocalPartDefect
from email.headerregistry import Address

HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def split(address: str) -> tuple[str, str]:
    """(user name, domain) of an address, the domain as typed."""
    local, _, domain = address.strip().rpartition("@")
    return local, domain


def ascii_domain(domain: str) -> str:
    """The domain as it goes on the wire (IDNA): ValueError if it cannot be written so."""
    try:
        encoded = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        # Python 3.11's IDNA codec raises a plain UnicodeError (no .reason) for an empty or over-long label,
        # as in name@council..gov.uk, its reason in the error it wraps.
        why = exc.reason if isinstance(exc, UnicodeEncodeError) else str(exc.__cause__ or exc)
        if why == "label empty or too long":
            why = "a part between dots is empty or over 63 characters"
        raise ValueError(f"the domain {domain!r} cannot be written as a host name ({why})") from None
    labels = encoded.split(".")
    if len(labels) < 2 or not all(HOST_LABEL.match(label) for label in labels):
        raise ValueError(
            f"the domain {domain!r} is not a host name (letters, digits and '-' between dots, e.g. example.org)"
        )
    return encoded


def problem(address: str) -> str | None:
    """Why no mail relay can take ``address`` (None if one can)."""
    local, domain = split(address)
    if not local or not domain:
        return f"{address!r} is not an e-mail address such as name@example.org"
    try:
        on_wire = f"{local}@{ascii_domain(domain)}"
    except ValueError as exc:
        return str(exc)
    try:
        Address(addr_spec=on_wire)
    except NonASCIILocalPartDefect:
        pass  # a user name in another script: a warning (needs_smtputf8), not a refusal
    except (ValueError, HeaderParseError, TypeError, IndexError) as exc:
        why = str(exc).strip("() ") or "invalid"
        return f"{address!r} is not an e-mail address a mail relay can take ({why})"
    if len(local.encode("utf-8")) > 64:
        return f"the part before @ in {address!r} is over 64 bytes, more than a mail relay takes"
    if len(address.encode("utf-8")) > 254:
        return f"{address[:40]!r}... is over 254 bytes, more than a mail relay takes"
    if any(c.isspace() or ord(c) < 32 for c in local):
        return f"{address!r} has a space in it"
    return None


def needs_smtputf8(address: str) -> bool:
    """A user name in another script: only a relay offering SMTPUTF8 can carry it."""
    return not split(address)[0].isascii()


def wire(address: str) -> str:
    """The address as given to the relay: the domain in its ASCII form, the user name as it is."""
    local, domain = split(address)
    return f"{local}@{ascii_domain(domain)}"


def header(name: str, address: str) -> Address:
    """A To: or From: entry as one address object: a name with a comma, a quote or an accent stays one
    address (a string put together by hand splits at the comma)."""
    local, domain = split(address)
    return Address(display_name=name, username=local, domain=ascii_domain(domain))


def warning(address: str) -> str | None:
    """What ``check`` says of an address some relays cannot take."""
    if needs_smtputf8(address):
        return (
            f"{address}: the part before @ is not in plain ASCII letters; only a mail relay that offers "
            "SMTPUTF8 can deliver to it (quorum send says so and skips it otherwise): ask for the person's "
            "ASCII address if the hub's relay does not"
        )
    return None


def warnings_for(coordinator: str, people: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(file, warning) for each address of a partnership that some relays cannot take: the coordinator's
    (partnership.toml) and each person's ((id, address) pairs, people.toml)."""
    out = []
    for rel, who, address in [("partnership.toml", "coordinator", coordinator)] + [
        ("people.toml", pid, email) for pid, email in people
    ]:
        said = warning(address)
        if said:
            out.append((rel, f"{who}: {said}"))
    return out
