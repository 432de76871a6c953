"""Escalation to the LKPP helpdesk by e-mail (SOP step 11): an outbox sent in the background, retried."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from server.config import EscalationSettings, Settings
from server.outbox import OutboxWorker, Result, Schedule, Unsendable
from shared.dates import format_date_id, format_time_id

log = logging.getLogger("antrian.mail")
MAX_ATTEMPTS = 8


def backoff_seconds(attempts: int) -> float:
    """Wait before the next try: 4, 8, 16, … seconds, at most 10 minutes."""
    return float(min(600, 2 ** (attempts + 1)))


# Every try is told: the escalations page shows each mail's state.
MAIL = Schedule(MAX_ATTEMPTS, backoff_seconds, "sent", "sent_at", "mail_sent", "mail_failed", alert_every_retry=True)


class MailError(Exception):
    """The SMTP server could not be reached or refused the message."""


def subject_for(settings: Settings, label: str, when: datetime) -> str:
    """Subject naming the office, the ticket and the date."""
    local = when.astimezone(settings.office.tz)
    return f"[Eskalasi] {settings.office.name} - tiket {label} - {format_date_id(local)}"


def minutes_id(minutes: int) -> str:
    """A target time in Indonesian: "45 menit", "8 jam", "1 hari", "1 jam 30 menit"."""
    if minutes % 1440 == 0:
        return f"{minutes // 1440} hari"
    if minutes >= 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} jam" + (f" {rest} menit" if rest else "")
    return f"{minutes} menit"


def priority_class_text(settings: Settings, code: str) -> str:
    """A priority class as the escalation text names it: "P1 - Tinggi (target penyelesaian 1 jam)"."""
    if not code:
        return "-"
    known = next((p for p in settings.priority_classes if p.code == code), None)
    if known is None:
        return code  # a class the admin has since removed from the table
    return f"{known.code} - {known.name} (target penyelesaian {minutes_id(known.target_minutes)})"


def escalation_body(settings: Settings, ticket: Any, form: dict[str, str]) -> str:
    """The escalation's text: the consultation form, the officer's analysis, the priority class.

    The e-mail's body, and (with the subject above it, `escalation_text`) what the escalations page
    copies for the LKPP's TTS or a mail written by hand, so the two always say the same."""
    when = (ticket.finished_at or ticket.created_at).astimezone(settings.office.tz)
    category = ticket.category or "-"
    return f"""Yth. Helpdesk LKPP,

{settings.office.name} meneruskan permasalahan pengguna SPSE berikut yang belum dapat
diselesaikan di LPSE (SOP Penanganan Permasalahan Pengguna, langkah 11).

Nomor antrian : {ticket.label}
Tanggal       : {format_date_id(when)} {format_time_id(when)}
Jenis         : {category}
Kelas prioritas: {priority_class_text(settings, ticket.priority_class)}

A. IDENTITAS
Nama                : {form["name"]}
Instansi/Perusahaan : {form["agency"]}
Alamat              : {form["address"]}
Telepon             : {form["phone"]}

B. PERMASALAHAN
{form["problem"]}

C. ANALISIS HELPDESK LPSE
{ticket.escalation_note}

Pemberi penjelasan: {ticket.officer}

Mohon balasan atau nomor tiket (TTS / LPSE Support) untuk kasus ini.
--
{settings.office.name}
{settings.office.address}
"""


def escalation_text(settings: Settings, ticket: Any, form: dict[str, str]) -> str:
    """The escalation as one text to paste into the LKPP's TTS or a mail: the subject, then the body."""
    subject = subject_for(settings, ticket.label, ticket.finished_at or ticket.created_at)
    return f"Perihal: {subject}\n\n{escalation_body(settings, ticket, form)}"


def build_message(settings: Settings, ticket: Any, form: dict[str, str], mail_id: int) -> EmailMessage:
    """The escalation e-mail: the consultation form and the officer's analysis (escalation_body)."""
    esc = settings.escalation
    when = (ticket.finished_at or ticket.created_at).astimezone(settings.office.tz)
    msg = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))  # no folded Subject
    msg["Subject"] = subject_for(settings, ticket.label, ticket.finished_at or ticket.created_at)
    msg["From"] = esc.sender
    msg["To"] = esc.to
    msg["Date"] = format_datetime(when)
    # The sender's domain, not socket.getfqdn(): no name lookup per mail (an office may be offline).
    msg["Message-ID"] = make_msgid(
        idstring=f"antrian-{mail_id}", domain=esc.sender.rpartition("@")[2] or "antrian.local"
    )
    msg.set_content(escalation_body(settings, ticket, form))
    return msg


def send(esc: EscalationSettings, msg: EmailMessage, timeout: float = 10.0) -> None:
    """Send one message over SMTP (none, STARTTLS or SSL); raises MailError."""
    password = os.environ.get(esc.password_env, "")
    try:
        if esc.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                esc.host, esc.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(esc.host, esc.port, timeout=timeout)
        with smtp:
            if esc.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if esc.username:
                smtp.login(esc.username, password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as err:
        raise MailError(f"{esc.host}:{esc.port}: {type(err).__name__}: {err}") from err


class MailWorker(OutboxWorker):
    """Sends queued escalation mails, with retries; one at a time, each result recorded at once."""

    errors = (MailError,)
    log = log
    title = "mail worker"

    def due(self, tx, now: datetime) -> list[tuple[dict[str, Any], Any]]:
        return [(m, (tx.ticket(m["ticket_id"]), tx.form(m["ticket_id"]))) for m in tx.due_mails(now)]

    def prepare(self, mail: dict[str, Any], read: Any) -> EmailMessage:
        ticket, form = read
        try:
            msg = build_message(self.service.settings, ticket, form, mail["id"])
            msg.as_bytes()  # every header encoded now, not half-way through an SMTP conversation
        except Exception as err:  # the same data fails the same way every time: failed, not retried
            log.exception("escalation mail %s cannot be built", mail["id"])
            raise Unsendable(f"the message cannot be built: {type(err).__name__}: {err}") from err
        return msg

    def send(self, mail: dict[str, Any], msg: EmailMessage) -> None:
        send(self.service.settings.escalation, msg)

    def record(self, results: list[Result]) -> None:
        for mail, error, final in results:
            self.service.mail_result(mail, error, final)
