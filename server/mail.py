"""Escalation to the LKPP helpdesk by e-mail (SOP step 11): an outbox sent in the background, retried."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from server.advice import permanent_refusal
from server.config import EscalationSettings, Settings
from server.escalation import escalation_body, mail_parts, subject_for
from server.outbox import MAIL_MAX_ATTEMPTS, OutboxWorker, Result, Unsendable, Withdrawn

log = logging.getLogger("antrian.mail")


class MailError(Exception):
    """The SMTP server could not be reached or refused the message."""


SEND_TIMEOUT_SECONDS = 10.0  # connecting, and the reply to each command
# The reply to the message's end: the server may scan the message before it answers, and has it by then; to
# give up sooner and try again sends LKPP the same case twice. RFC 5321 (4.5.3.2.6) asks for 10 minutes.
DATA_REPLY_SECONDS = 600.0
# Headers unfolded: Python folds a long Subject before its first word, which a client then reads with a space
# before it. The body: quoted-printable in lines of at most 76 characters (RFC 2045 6.7: "no more than 76"; SMTP's
# policy folds at 78, RFC 5322's line, which a QP body must not reach: mail filters mark it, SpamAssassin's
# MIME_QP_LONG_LINE); a plain body with a longer line goes out quoted-printable.
HEADERS = policy.SMTP.clone(max_line_length=998)
BODY = policy.SMTP.clone(max_line_length=76)


def build_message(
    settings: Settings,
    ticket: Any,
    form: dict[str, str],
    mail_id: int,
    signed: str | None = None,
    sent: datetime | None = None,
) -> EmailMessage:
    """The escalation e-mail: the consultation form and the officer's analysis (escalation_body), signed
    `signed` (the officer's full name and NIP when the case was escalated, kept with the mail).

    Its Date is `sent` (the server's clock at this try; now when not given), not the escalation's time, which
    the body says: a mail that reaches LKPP hours or days after the case (the mail server down, a refusal
    mended, Kirim ulang) was dated then, sorted under LKPP's newer mail and marked by mail filters for a Date
    in the past (SpamAssassin's DATE_IN_PAST_*)."""
    esc = settings.escalation
    when = (sent or datetime.now(UTC)).astimezone(settings.office.tz)
    msg = EmailMessage(policy=HEADERS)
    msg["Subject"] = subject_for(settings, ticket.label, ticket.finished_at or ticket.created_at)
    msg["From"] = esc.sender
    msg["To"] = esc.to
    msg["Date"] = format_datetime(when)
    # The sender's domain, not socket.getfqdn(): no name lookup per mail (an office may be offline).
    msg["Message-ID"] = make_msgid(
        idstring=f"antrian-{mail_id}", domain=esc.sender.rpartition("@")[2] or "antrian.local"
    )
    body = escalation_body(settings, ticket, form, signed)
    # The visitor's problem and the analysis are paragraphs of one line each, in Indonesian with its "–" and
    # "é": plain 7bit when it is ASCII in short lines, else quoted-printable, lines of at most 76 characters
    # (RFC 2045) that any mail client reads back whole; never 8bit (a server without 8BITMIME) nor base64.
    plain = body.isascii() and all(len(line) <= 78 for line in body.splitlines())
    msg.policy = BODY  # the encoded lines' length is the policy's
    msg.set_content(body, cte="7bit" if plain else "quoted-printable")
    msg.policy = HEADERS
    return msg


class _WaitForData:
    """An SMTP connection that waits DATA_REPLY_SECONDS, not its timeout, for the reply to the message."""

    def data(self, msg):
        self.sock.settimeout(DATA_REPLY_SECONDS)
        try:
            return super().data(msg)
        finally:
            if self.sock is not None:
                self.sock.settimeout(self.timeout)


class _SMTP(_WaitForData, smtplib.SMTP):
    pass


class _SMTPSSL(_WaitForData, smtplib.SMTP_SSL):
    pass


def send(esc: EscalationSettings, msg: EmailMessage, timeout: float = SEND_TIMEOUT_SECONDS) -> None:
    """Send one message over SMTP (none, STARTTLS or SSL); raises MailError. `timeout` for connecting and
    each command; the reply to the message itself is waited for DATA_REPLY_SECONDS."""
    password = os.environ.get(esc.password_env, "")
    accepted = False
    try:
        if esc.security == "ssl":
            smtp: smtplib.SMTP = _SMTPSSL(esc.host, esc.port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = _SMTP(esc.host, esc.port, timeout=timeout)
        with smtp:
            if esc.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if esc.username:
                smtp.login(esc.username, password)
            smtp.send_message(msg)
            accepted = True
    except (OSError, smtplib.SMTPException) as err:
        if accepted:  # the QUIT (smtplib's __exit__) refused or unanswered: the server has the message all the
            # same, and trying again (or at the next start, for a 5xx) would send LKPP the same case twice
            log.warning("escalation mail accepted by %s:%s; its QUIT failed: %s", esc.host, esc.port, err)
            return
        raise MailError(f"{esc.host}:{esc.port}: {type(err).__name__}: {err}") from err


class MailWorker(OutboxWorker):
    """Sends queued escalation mails, with retries; one at a time, each result recorded at once."""

    errors = (MailError,)
    log = log
    title = "mail worker"

    def due(self, tx, now: datetime) -> list[tuple[dict[str, Any], Any]]:
        return [(m, mail_parts(tx, m)) for m in tx.due_mails(now)]

    def prepare(self, mail: dict[str, Any], read: Any) -> EmailMessage:
        with self.service.store.read() as tx:  # just before its try: withdrawn since the round began?
            current = tx.mail_of_ticket(mail["ticket_id"])
        if current is None or current["id"] != mail["id"] or current["status"] not in ("queued", "retrying"):
            raise Withdrawn("the case reached LKPP another way (its LKPP number or answer recorded)")
        ticket, form, signed = read
        try:
            msg = build_message(self.service.settings, ticket, form, mail["id"], signed, self.service.clock())
            msg.as_bytes()  # every header encoded now, not half-way through an SMTP conversation
        except Exception as err:  # the same data fails the same way every time: failed, not retried
            log.exception("escalation mail %s cannot be built", mail["id"])
            raise Unsendable(f"the message cannot be built: {type(err).__name__}: {err}") from err
        return msg

    def send(self, mail: dict[str, Any], msg: EmailMessage) -> None:
        send(self.service.settings.escalation, msg)

    def final(self, error: str) -> bool:
        """A permanent refusal (5xx: a mailbox unknown, a login refused; server/advice.py permanent_refusal) is
        not tried again: eight tries would all be refused, and the alert would say what to mend later than
        now. The mail waits, `failed`, for the admin to mend config.toml: the next start queues it again, once,
        and a later one only when what it is sent with changed (Jobs.requeue_refused_mails, sent_with)."""
        return permanent_refusal(error)

    def withdraw(self, mail: dict[str, Any], reason: str) -> None:
        """A mail withdrawn by the command that recorded the case's LKPP number or answer: nothing more to record."""
        log.info("escalation mail %s not sent: %s", mail["id"], reason)

    def record(self, results: list[Result]) -> None:
        for mail, error, final in results:
            # The mail server's own words, for the admin: the officer and the front office read the advice
            # (server/advice.py), this reply folded behind "rincian untuk admin" (the front office's alert, the
            # Eskalasi page). Logged at a mail's first failed try and when it gives up, not at each of its retries.
            tries = (mail.get("attempts") or 0) + 1
            if error is not None and (tries == 1 or final or tries >= MAIL_MAX_ATTEMPTS):
                given_up = final or tries >= MAIL_MAX_ATTEMPTS
                log.warning(
                    "escalation mail %s failed, try %d%s: %s",
                    mail["id"],
                    tries,
                    ", given up" if given_up else "",
                    error,
                )
            self.service.mail_result(mail, error, final)
