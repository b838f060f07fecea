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
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rotas import addresses
from rotas.clock import zone
from rotas.model import Partnership, Person
from scheduler.advice import Step
from scheduler.calendars import imip, netlimits
from scheduler.calendars.export import stored_versions
from scheduler.calendars.ledger import Tell, Version, delivery_row, ledger_index, to_tell
from scheduler.calendars.netlimits import READ_S, REPLY_CAP, Counted, Exchange, NetworkLimit, shut
from scheduler.errors import UserError, why
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
    timeout: float = READ_S  # for any one read
    deadline: float | None = None  # for the whole of an exchange (opening, or one message): netlimits.EXCHANGE_S

    @property
    def limit(self) -> float:
        return self.deadline or netlimits.EXCHANGE_S

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
    unrecorded: list[Outgoing] = field(default_factory=list)  # accepted by the relay, but not recorded
    repeated: list[Outgoing] = field(default_factory=list)  # an earlier run may have sent these already
    stopped: str = ""  # why sending stopped early (the database could not be written)


def _tells(store: Store, p: Partnership, now: datetime) -> tuple[list[Version], list[Tell]]:
    versions = sorted(stored_versions(store, p, now).values(), key=lambda v: (v.event.start, v.request))
    had = ledger_index(store.deliveries(p.id, CHANNEL, TARGET))
    emails = {x.id for x in p.people if x.email}
    tells = [t for v in versions for t in to_tell(v, had.get(v.request, {})) if t.recipient in emails]
    return versions, tells


def outgoing(tell: Tell, people: dict[str, Person]) -> Outgoing:
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
        intended = store.outbox(p.id)
        report.repeated = [
            out
            for t, out in zip(tells, report.planned, strict=True)
            if intended.get((t.version.request, t.recipient), {}).get("sequence") == t.version.sequence
        ]
        with _connect(relay) as session:
            for i, (tell, out) in enumerate(zip(tells, report.planned, strict=True)):
                if not _one(session, store, p, tell, out, people, tz, now, report):
                    tried = out in report.unrecorded or any(x is out for x, _why in report.refused)
                    report.unsent = report.planned[i + int(tried) :]
                    break
                if progress:
                    progress(i + 1, len(tells))
        return report


def _one(
    session: _Session,
    store: Store,
    p: Partnership,
    tell: Tell,
    out: Outgoing,
    people: dict[str, Person],
    tz: ZoneInfo,
    now: datetime,
    report: SendReport,
) -> bool:
    """Hand one message to the relay: its intent noted first, its delivery recorded once accepted.

    A crash between the relay's acceptance and the record leaves the intent: the next send repeats the
    message with the same UID, SEQUENCE and Message-ID, which calendar programs take as the same invitation.
    False when sending must stop (the connection or the database failed).
    """
    refusal = session.cannot_take(out.email)
    if refusal:
        report.refused.append((out, refusal))
        return True
    msg = imip.message(tell, people, tz, now)
    try:
        store.intend(p.id, [{"request": out.request, "recipient": out.person, "uid": tell.version.event.uid,
                             "sequence": tell.version.sequence, "at": now.isoformat()}])  # fmt: skip
    except UserError as exc:
        report.stopped = exc.message
        return False
    try:
        session.send(msg, addresses.wire(p.coordinator_email), addresses.wire(out.email))
    except smtplib.SMTPRecipientsRefused as exc:
        report.refused.append((out, _words(next(iter(exc.recipients.values()), None))))
        return True
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        report.refused.append((out, _words((exc.smtp_code, exc.smtp_error))))
        return True
    except NetworkLimit as exc:
        report.refused.append((out, f"{exc.said}; stopped there"))
        return False
    except (smtplib.SMTPException, OSError) as exc:
        report.refused.append((out, f"the connection failed ({why(exc)})"))
        return False
    try:
        store.record_deliveries(p.id, [delivery_row(tell, CHANNEL, TARGET, now)])
    except UserError as exc:  # accepted, not recorded: said as such, never as "nothing was changed"
        report.unrecorded.append(out)
        report.stopped = exc.message
        return False
    report.sent.append(out)
    return True


def stopped(report: SendReport) -> str:
    """Why sending stopped early, for the CLI and the UI alike: never "nothing was changed" once the relay
    has taken a message."""
    if report.unrecorded:
        return (
            f"the relay accepted {len(report.unrecorded)} message(s), but the database could not record them "
            f"({report.stopped}); the next quorum send sends them again with the same UID, SEQUENCE and "
            "Message-ID (calendar programs take a repeat as the same invitation); "
            f"{len(report.unsent)} not tried yet"
        )
    return (
        f"sending stopped after {len(report.sent)} message(s): {report.stopped}; those sent are recorded, "
        f"{len(report.unsent)} not tried yet: run quorum send again once that is fixed"
    )


def _words(answer: tuple[int, bytes | str] | None) -> str:
    """The server's refusal as one short line (its code and first words, nothing binary)."""
    if not answer:
        return "refused"
    code, text = answer
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    line = " ".join(str(text).split())[:160]
    return f"{code} {line}".strip()


class _Capped(smtplib.SMTP):
    """An SMTP client whose reading of the relay's answers is counted (netlimits.REPLY_CAP in a session)."""

    def connect(self, host: str = "localhost", *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        # The name a certificate is checked against: smtplib keeps it only when the host is given to the
        # constructor, which would connect (and read the greeting) before any deadline could be set.
        self._host = host
        return super().connect(host, *args, **kwargs)

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None and self.sock is not None:
            self.file = Counted(self.sock.makefile("rb"), REPLY_CAP, "the mail server")
        return super().getreply()


class _CappedTLS(smtplib.SMTP_SSL, _Capped):
    pass


class _Session:
    """An open SMTP session: each message handed over within the relay's deadline."""

    def __init__(self, smtp: smtplib.SMTP, relay: Relay) -> None:
        self.smtp, self.relay = smtp, relay
        self.international = smtp.has_extn("smtputf8")

    def cannot_take(self, address: str) -> str | None:
        """Why this relay cannot carry a message to ``address`` (a user name in another script needs
        SMTPUTF8), or None."""
        if addresses.needs_smtputf8(address) and not self.international:
            return (
                f"the mail server {self.relay.address} does not take addresses with letters outside ASCII before "
                "the @ (it does not offer SMTPUTF8): ask for the person's ASCII address, or a relay that does"
            )
        return None

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        smtp = self.smtp
        with Exchange(f"the mail server {self.relay.address}", self.relay.limit, lambda: shut(smtp.sock)):
            smtp.send_message(msg, from_addr=sender, to_addrs=[recipient])


class _connect:
    """An open, authenticated SMTP session; every failure to get one is a UserError that says why."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> _Session:
        try:
            return _Session(self._open(), self.relay)
        except BaseException:
            self.__exit__()
            raise

    def _open(self) -> smtplib.SMTP:
        relay = self.relay
        if relay.security not in SECURITY:
            raise UserError(f"--security must be one of {', '.join(SECURITY)}")
        if relay.security == "none" and relay.password:
            raise UserError(
                "refusing to send a password over an unencrypted connection",
                advice=[Step("use STARTTLS (or TLS)", "mail_security", value="starttls", port=PORTS["starttls"])],
            )
        try:
            context = ssl.create_default_context(cafile=str(relay.cafile) if relay.cafile else None)
        except (OSError, ssl.SSLError) as exc:
            raise UserError(f"cannot read the certificate file {relay.cafile}: {exc}") from exc
        port = relay.port or PORTS[relay.security]
        where = relay.address
        timeout = min(relay.timeout, relay.limit)
        smtp = self.smtp = (
            _CappedTLS(timeout=timeout, context=context) if relay.security == "tls" else _Capped(timeout=timeout)
        )
        try:
            # Connecting, the greeting, STARTTLS and the login: one exchange, with one deadline.
            with Exchange(f"the mail server {where}", relay.limit, lambda: shut(smtp.sock)):
                smtp.connect(relay.host, port)
                smtp.ehlo()
                if relay.security == "starttls":
                    if not smtp.has_extn("starttls"):
                        raise UserError(
                            f"the mail server {where} does not offer STARTTLS",
                            advice=[
                                Step(
                                    "connect with TLS from the start", "mail_security", value="tls", port=PORTS["tls"]
                                ),
                                Step("or ask IT for the relay's address and security"),
                            ],
                        )
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if relay.user:
                    smtp.login(relay.user, relay.password or "")
        except NetworkLimit as exc:
            raise UserError(
                f"{exc.said}; nothing was sent: ask IT whether {where} is the hub's relay, or try again later"
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise UserError(f"the mail server {where} refused the user name or password") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise UserError(
                f"the mail server {where} does not take a login", advice=[Step("send without one", "mail_no_user")]
            ) from exc
        except ssl.SSLCertVerificationError as exc:
            raise UserError(
                f"the mail server {where} gave a certificate that cannot be trusted ({exc.verify_message})",
                advice=[Step("trust the hub's own certificate authority", "mail_cafile")],
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise UserError(
                f"cannot reach the mail server {where}: {why(exc)}",
                advice=[
                    Step("check it is the hub's relay, and that the security suits its port (STARTTLS 587, TLS 465)")
                ],
            ) from exc
        return smtp

    def __exit__(self, *exc: object) -> None:
        smtp = self.smtp
        if smtp is not None:
            try:
                if smtp.sock is not None:
                    with Exchange("closing", 5, lambda: shut(smtp.sock)):
                        smtp.quit()
            except (smtplib.SMTPException, OSError, NetworkLimit):
                smtp.close()
            self.smtp = None
