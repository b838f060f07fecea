"""Sending invites by e-mail through the hub's mail relay (SMTP), recorded in the ledger one by one.

Each message is recorded the moment the server accepts it, so a run cut short
(a refusal, a dropped connection, Ctrl+C) sends the rest next time and never
sends an accepted message twice. A message the server refuses is reported with
the server's words and stays unsent.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rotas.clock import zone
from scheduler.calendars import imip
from scheduler.calendars.export import stored_versions
from scheduler.calendars.ledger import Tell, delivery_row, ledger_index, to_tell
from scheduler.errors import UserError
from scheduler.store.database import Store

CHANNEL = "email"
TARGET = ""  # one ledger for e-mail, whichever relay carried it: what a person received, they have
SECURITY = ("starttls", "tls", "none")
PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True)
class Relay:
    """Where and how to hand messages over: the hub's mail relay."""

    host: str
    port: int | None = None
    security: str = "starttls"  # starttls (port 587) | tls (implicit, port 465) | none (port 25)
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: Path | None = None  # the hub's own certificate authority, if its relay uses one
    timeout: float = 30

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port or PORTS[self.security]}"


def split_address(text: str) -> tuple[str, int | None]:
    """``host`` or ``host:port`` as typed by a coordinator, the port checked."""
    host, colon, port = text.strip().rpartition(":")
    if not colon:
        return text.strip(), None
    if not (port.isdigit() and 0 < int(port) < 65536) or not host:
        raise UserError(f"{text!r}: give the mail relay as HOST or HOST:PORT, the port a number such as 587")
    return host, int(port)


@dataclass(frozen=True)
class Outgoing:
    """One message to go: who, which meeting, what change."""

    request: str
    name: str  # the meeting's file name (kind and case), to show
    person: str
    email: str
    change: str  # new | updated | cancelled | dropped


@dataclass
class SendReport:
    planned: list[Outgoing] = field(default_factory=list)
    sent: list[Outgoing] = field(default_factory=list)
    refused: list[tuple[Outgoing, str]] = field(default_factory=list)
    unsent: list[Outgoing] = field(default_factory=list)  # not tried: the connection was lost first


def _tells(store: Store, p, now: datetime) -> tuple[list, list[Tell]]:
    versions = sorted(stored_versions(store, p, now).values(), key=lambda v: (v.event.start, v.request))
    had = ledger_index(store.deliveries(p.id, CHANNEL, TARGET))
    emails = {x.id for x in p.people if x.email}
    tells = [t for v in versions for t in to_tell(v, had.get(v.request, {})) if t.recipient in emails]
    return versions, tells


def outgoing(tell: Tell, people: dict) -> Outgoing:
    x = people[tell.recipient]
    return Outgoing(tell.version.request, tell.version.name, x.id, x.email, tell.change)


def send(
    db_path: Path,
    pid: str | None,
    relay: Relay | None,
    dry_run: bool = False,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SendReport:
    """E-mail each attendee what they have not yet been told; ``dry_run`` only lists it."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        people = {x.id: x for x in p.people}
        versions, tells = _tells(store, p, now)
        report = SendReport(planned=[outgoing(t, people) for t in tells])
        if dry_run or not tells:
            return report
        assert relay is not None
        tz = zone(p.timezone)
        going = {t.version.request for t in tells}
        store.save_versions(p.id, [v.row() for v in versions if v.fresh and v.request in going])
        with _connect(relay) as smtp:
            for i, (tell, out) in enumerate(zip(tells, report.planned, strict=True)):
                msg = imip.message(tell, people, tz, now)
                try:
                    smtp.send_message(msg, from_addr=p.coordinator_email, to_addrs=[out.email])
                except smtplib.SMTPRecipientsRefused as exc:
                    report.refused.append((out, _words(next(iter(exc.recipients.values()), None))))
                except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                    report.refused.append((out, _words((exc.smtp_code, exc.smtp_error))))
                except (smtplib.SMTPException, OSError) as exc:
                    report.refused.append((out, f"the connection failed ({type(exc).__name__})"))
                    report.unsent = report.planned[i + 1 :]
                    break
                else:
                    store.record_deliveries(p.id, [delivery_row(tell, CHANNEL, TARGET, now)])
                    report.sent.append(out)
                if progress:
                    progress(i + 1, len(tells))
        return report


def _words(answer: tuple[int, bytes | str] | None) -> str:
    """The server's refusal as one short line (its code and first words, nothing binary)."""
    if not answer:
        return "refused"
    code, text = answer
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    line = " ".join(str(text).split())[:160]
    return f"{code} {line}".strip()


class _connect:
    """An open, authenticated SMTP session; every failure to get one is a UserError that says why."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> smtplib.SMTP:
        try:
            return self._open()
        except BaseException:
            self.__exit__()
            raise

    def _open(self) -> smtplib.SMTP:
        relay = self.relay
        if relay.security not in SECURITY:
            raise UserError(f"--security must be one of {', '.join(SECURITY)}")
        if relay.security == "none" and relay.password:
            raise UserError(
                "refusing to send a password over an unencrypted connection: use --security starttls or tls"
            )
        try:
            context = ssl.create_default_context(cafile=str(relay.cafile) if relay.cafile else None)
        except (OSError, ssl.SSLError) as exc:
            raise UserError(f"cannot read the certificate file {relay.cafile}: {exc}") from exc
        port = relay.port or PORTS[relay.security]
        where = relay.address
        try:
            if relay.security == "tls":
                self.smtp = smtplib.SMTP_SSL(relay.host, port, timeout=relay.timeout, context=context)
            else:
                self.smtp = smtplib.SMTP(relay.host, port, timeout=relay.timeout)
            smtp = self.smtp
            smtp.ehlo()
            if relay.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise UserError(
                        f"the mail server {where} does not offer STARTTLS: try --security tls (port 465), or "
                        "ask for the relay's address"
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if relay.user:
                smtp.login(relay.user, relay.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise UserError(f"the mail server {where} refused the user name or password") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise UserError(f"the mail server {where} does not take a login: leave out --user") from exc
        except ssl.SSLCertVerificationError as exc:
            raise UserError(
                f"the mail server {where} gave a certificate that cannot be trusted ({exc.verify_message}); "
                "give the hub's certificate authority with --cafile"
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise UserError(
                f"cannot reach the mail server {where} ({type(exc).__name__}); is it the hub's relay, and is "
                "--security right for its port?"
            ) from exc
        return smtp

    def __exit__(self, *exc: object) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None
