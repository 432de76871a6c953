"""The escalation's words (SOP step 11): the subject, the letter to the LKPP helpdesk, and the text the
escalations page copies for the LKPP's TTS, so the mail and the copy always say the same.

The service names the subject when it queues the mail (server/service/queue.py) and shows the text on
the escalations page (server/service/views.py); server/mail.py sends the same words. They are in the
one catalogue (server/i18n/*.json, keys `mail.*`); the letter is Indonesian."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import datetime
from typing import Any

from server.config import Settings
from server.i18n import t
from server.reports import category_name
from shared.dates import format_date_id, format_time_id


def subject_for(settings: Settings, label: str, when: datetime) -> str:
    """Subject naming the office, the ticket and the date."""
    local = when.astimezone(settings.office.tz)
    return t("mail.subject", office=settings.office.name, label=label, date=format_date_id(local))


def minutes_id(minutes: int) -> str:
    """A target time in Indonesian: "45 menit", "8 jam", "1 hari", "1 jam 30 menit"."""
    if minutes % 1440 == 0:
        return t("mail.minutes.days", days=minutes // 1440)
    if minutes >= 60:
        hours, rest = divmod(minutes, 60)
        if rest:
            return t("mail.minutes.hours_minutes", hours=hours, minutes=rest)
        return t("mail.minutes.hours", hours=hours)
    return t("mail.minutes.minutes", minutes=minutes)


def priority_class_text(settings: Settings, code: str) -> str:
    """A priority class as the escalation text names it: "P1 - Tinggi (target penyelesaian 1 jam)"."""
    if not code:
        return "-"
    known = next((p for p in settings.priority_classes if p.code == code), None)
    if known is None:
        return code  # a class the admin has since removed from the table
    return t("mail.priority_class", code=known.code, name=known.name, target=minutes_id(known.target_minutes))


def signer(account: dict[str, Any] | None, username: str | None) -> str:
    """Who signs the escalation, as the A4 form does: the account's full name and its NIP when it has them
    ("Budi Santoso, S.Kom. (NIP. 19900105 201503 2 001)"), else the login name."""
    from server.forms import format_nip

    name = ((account or {}).get("full_name") or "").strip() or username or "-"
    nip = format_nip((account or {}).get("nip"))
    return t("mail.signer_nip", name=name, nip=nip) if nip else name


def escalation_body(settings: Settings, ticket: Any, form: dict[str, str], signed: str | None = None) -> str:
    """The escalation's text: the consultation form, the officer's analysis, the priority class, and who
    signs it (`signed`, `signer()` when the case was escalated: kept with the queued mail; the login name
    when not given).

    The e-mail's body, and (with the subject above it, `escalation_text`) what the escalations page
    copies for the LKPP's TTS or a mail written by hand, so the two always say the same."""
    when = (ticket.finished_at or ticket.created_at).astimezone(settings.office.tz)
    return t(
        "mail.body",
        office=settings.office.name,
        label=ticket.label,
        date=format_date_id(when),
        time=format_time_id(when),
        category=category_name(ticket.category, "-"),
        priority_class=priority_class_text(settings, ticket.priority_class),
        name=form["name"],
        agency=form["agency"],
        address=form["address"],
        phone=form["phone"],
        problem=form["problem"],
        analysis=ticket.escalation_note,
        officer=signed or ticket.officer or "-",
        office_address=settings.office.address,
    )


def escalation_text(settings: Settings, ticket: Any, form: dict[str, str], signed: str | None = None) -> str:
    """The escalation as one text to paste into the LKPP's TTS or a mail: the subject, then the body."""
    subject = subject_for(settings, ticket.label, ticket.finished_at or ticket.created_at)
    return t("mail.text", subject=subject, body=escalation_body(settings, ticket, form, signed))


def mail_parts(tx: Any, mail: dict[str, Any]) -> tuple[Any, dict[str, str], str]:
    """What a queued mail is built from (build_message): its ticket, the ticket's form, and who signs it: as when
    the case was escalated (kept with the mail); a mail queued before m026 kept no signer: the account's name now."""
    ticket = tx.ticket(mail["ticket_id"])
    signed = mail.get("signer") or signer(tx.user(ticket.officer) if ticket.officer else None, ticket.officer)
    return ticket, tx.form(mail["ticket_id"]), signed


def sent_with(settings: Settings, key: str | bytes, ticket: Any, form: dict[str, str], signed: str) -> str:
    """A digest of what an escalation mail is sent with that can be changed to make a refused one go through:
    config.toml's [escalation] (host, port, security, username, from, to, the password's variable), the SMTP
    password itself (with a username: without one it is not sent) and the mail's Subject and text (a correction
    of the case's analysis; not its Date or Message-ID, new at each try). HMAC-SHA256 keyed with the server's
    secret key (server/app.py secret_key): the database keeps no plain hash of the password, which could be
    guessed from it. Jobs.requeue_refused_mails queues a refused mail again at a later start only when it
    differs from the one it was last queued again with."""
    esc = settings.escalation
    password = os.environ.get(esc.password_env, "") if esc.username else ""
    subject = subject_for(settings, ticket.label, ticket.finished_at or ticket.created_at)
    parts = [esc.host, esc.port, esc.security, esc.username, esc.sender, esc.to, esc.password_env, password]
    parts += [subject, escalation_body(settings, ticket, form, signed)]
    text = json.dumps(parts, ensure_ascii=False).encode()
    return hmac.new(key.encode() if isinstance(key, str) else key, text, hashlib.sha256).hexdigest()
