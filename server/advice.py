"""What went wrong with a printer, told to the front office in Indonesian (English second) with what to do.

The service records it with a failed print (server/service/jobs.py) and shows it in the list of print
jobs; the words are in the one catalogue (server/i18n/*.json, keys `printer.*`). No device is needed to
say it: the printers themselves are server/printing.py's."""

from __future__ import annotations

import os
import re
from datetime import datetime
from typing import Any

from server.i18n import t

# The kinds of failure, each with its problem (`printer.problem.<kind>`) and its fix
# (`printer.fix.<kind>`) in the catalogue. Matched against the printer's raw message
# (printers/transport.py), first match wins; the raw message stays beside it for the admin.
FAILURE_KINDS = (
    "no_agent",
    "paper_out",
    "not_ready",
    "cups_stopped",
    "setup",
    "permission",
    "unknown_host",
    "unreachable",
    "not_found",
    "no_answer",
    "expired",
    "other",
)
_FAILURE_PATTERNS = (
    ("no_agent", ("print agent is not connected",)),  # server/printing.py, AgentPrintWorker.ABSENT
    ("paper_out", ("out of paper",)),
    ("not_ready", ("offline (cover open",)),
    ("cups_stopped", ("cups has stopped", "cups stopped", "cupsenable")),
    (
        "setup",
        (
            "is a directory",
            "not a directory",
            "unknown printer type",
            "printer needs ",
            "no default printer",
            "command is missing",
            "cups refused",
            "read-only file system",
            # a usb printer's endpoint it does not have ("invalid endpoint address 0x1" from pyusb;
            # printers/transport.py names out_ep / in_ep and the value to set)
            "invalid endpoint",
            "no in endpoint",
            "no out endpoint",
            # a network printer's host and port lead to another device (printers/transport.py, _judge_online)
            "not an esc/pos printer",
        ),
    ),
    ("permission", ("permission denied", "operation not permitted")),
    # a host name the server's PC cannot resolve (a typo, a name only the printer's web page knows): no cable to check
    ("unknown_host", ("unknown host",)),
    ("unreachable", ("connection refused", "unreachable", "no route to host", "connection reset")),
    ("not_found", ("not found", "no such file", "no such device")),
    (
        "no_answer",
        (
            "no progress within",
            "no answer within",
            "not answering",
            "no status answer",
            "not printed within",
            "timed out",
            "did not answer",
        ),
    ),
    ("expired", ("did not take it on the day",)),  # server/printing.py, AgentPrintWorker.EXPIRED
)


def _kind(error: str | None, patterns: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """The first kind whose words are in the raw error message (any case), 'other' when none is."""
    text = (error or "").lower()
    return next((kind for kind, needles in patterns if any(n in text for n in needles)), "other")


def failure_kind(error: str | None) -> str:
    """The kind of a printer's raw error message (FAILURE_KINDS), 'other' when none matches."""
    return _kind(error, _FAILURE_PATTERNS)


def printer_title(settings: Any, name: str) -> tuple[str, str]:
    """How people call a printer, (Indonesian, English): the kiosk's, a counter's, or by its name in config.toml."""
    if name and name == settings.kiosk.printer:
        return t("printer.title.kiosk", "id"), t("printer.title.kiosk", "en")
    counters = [c.name for c in settings.counters if c.printer == name]
    if counters:
        names = ", ".join(counters)
        return t("printer.title.counters", "id", counters=names), t("printer.title.counters", "en", counters=names)
    return t("printer.title.named", "id", name=name), t("printer.title.named", "en", name=name)


def failure_advice(
    settings: Any, printer: str, error: str | None, final: bool, job_kind: str = "ticket"
) -> dict[str, str]:
    """The front office's alert for a failed print: the printer, what is wrong and what to do, in
    Indonesian and English, e.g. "Printer kios: kertas habis — isi kertas lalu tekan Cetak ulang".
    A job that will be tried again needs no Cetak ulang (it would print twice): the fix is enough.
    `job_kind` "form": the visitor's copy of the form, printed again from the counter, not Cetak ulang."""
    kind = failure_kind(error)
    # a job of a day that is over: no Cetak ulang (its visitor is gone), only why and what to do
    key = "printer.advice.expired" if kind == "expired" else "printer.advice.final" if final else "printer.advice.retry"
    if job_kind == "form" and kind != "expired":
        key += "_form"
    advice: dict[str, str] = {"kind": kind}
    for lang, title in zip(("id", "en"), printer_title(settings, printer), strict=True):
        problem, fix = t(f"printer.problem.{kind}", lang), t(f"printer.fix.{kind}", lang)
        advice[lang] = t(key, lang, printer=title, problem=problem, fix=fix)
    return advice


def back_advice(settings: Any, printer: str, kind: str, final: bool, job_kind: str, since: datetime) -> dict[str, str]:
    """The alert of a print that failed on a printer that has printed since (a later slip or form copy came out at
    `since`: switched on again, a new roll, its agent back), in Indonesian and English: it prints again, and this
    paper still did not come out, e.g. "Printer kios sudah mencetak lagi pukul 09.30, tetapi slip nomor berikut belum
    tercetak — tekan Cetak ulang bila pengunjungnya perlu slip". Its failure's advice ("… tidak dapat dihubungi —
    nyalakan printer …") sent the front office to check a printer that was fine. `kind`: the failure's (its line
    stays the one of that cause); `back`: `since` (ISO 8601)."""
    key = "printer.advice.back" + ("" if final else "_retry") + ("_form" if job_kind == "form" else "")
    local = since.astimezone(settings.office.tz)
    advice: dict[str, str] = {"kind": kind, "back": since.isoformat()}
    for lang, title in zip(("id", "en"), printer_title(settings, printer), strict=True):
        advice[lang] = t(key, lang, printer=title, time=local.strftime("%H.%M" if lang == "id" else "%H:%M"))
    return advice


# An escalation e-mail that failed, in the same way: the kinds (`mail.problem.<kind>`, `mail.fix.<kind>`)
# matched against the SMTP library's raw message (server/mail.py), first match wins.
MAIL_KINDS = (
    "blocked", "busy", "auth", "tls", "later", "content", "too_big", "refused", "unreachable", "no_answer", "other"
)  # fmt: skip
_MAIL_FIRST = (
    ("auth", ("authentication", "username and password", "(535", "(534", "(530", "auth not supported")),
    ("tls", ("ssl", "tls", "certificate")),
)
_MAIL_PATTERNS = (
    *_MAIL_FIRST,
    ("refused", ("recipient", "sender address", "(550", "(551", "(553", "(554", "relay")),
    # before `unreachable`: smtplib says a reply that did not come in time as "Connection unexpectedly closed:
    # timed out" (a greeting never sent: a port that speaks TLS at once, 465, with security "none")
    ("no_answer", ("timed out", "timeout")),
    (
        "unreachable",
        (
            "connection refused",
            "name or service not known",
            "temporary failure in name resolution",
            "no route to host",
            "network is unreachable",
            "unreachable",
            "connection reset",
            "connection unexpectedly closed",
        ),
    ),
)


# The server's greeting refused (smtplib's SMTPConnectError, a 5xx instead of 220: RFC 5321 3.1's 554, "no
# SMTP service here"): the server refuses this client (a policy, the office's IP address blocklisted), before
# any address was sent; not the addresses, whatever words its reply has.
_GREETING_REFUSED = re.compile(r"SMTPConnectError: \(5\d\d, ")
# A 4xx instead of 220 (RFC 5321 3.8 and 4.2.5: 421, "service not available", too many connections, the server
# shutting down or throttling this client): the server refuses for now, whatever words its reply has; a 4xx is
# tried again (permanent_refusal), so the advice says it is busy and waits, not what to mend in config.toml.
_GREETING_BUSY = re.compile(r"SMTPConnectError: \(4\d\d, ")


def mail_kind(error: str | None) -> str:
    """The kind of an SMTP failure's raw message (MAIL_KINDS), 'other' when none matches. A 5xx greeting is
    "blocked", a 4xx one (421) "busy", a 4xx later (450/451: greylisting) "later"; a 5xx refusal later is told by where it came (refusal_kind): the message's content or size, or
    its sender or recipient."""
    if _GREETING_REFUSED.search(error or ""):
        return "blocked"
    if _GREETING_BUSY.search(error or ""):
        return "busy"
    first = _kind(error, _MAIL_FIRST)
    if first != "other":
        return first
    if _deferred(error):
        return "later"
    return refusal_kind(error) or _kind(error, _MAIL_PATTERNS)


def _deferred(error: str | None) -> bool:
    """A 4xx reply after the greeting (at MAIL, RCPT or DATA) and no 5xx: the mail server puts the mail off for
    now (RFC 5321 4.2.1: greylisting's 450/451 4.7.1 at RCPT, a mailbox busy, a sending limit), retried like any
    4xx. Said as a recipient refused ("check to and from") or "contact the admin", it sent the admin to mend
    what was right, for a mail that a later try sends."""
    codes = [int(c) for c in _SMTP_REPLY.findall(error or "")]
    return bool(codes) and all(400 <= c < 500 for c in codes)


# An SMTP reply code in the raw message, as smtplib's exceptions word it (server/mail.py keeps their text):
# "(550, b'5.1.1 user unknown')", one per recipient in SMTPRecipientsRefused's; and the enhanced status code
# (RFC 3463) that begins the reply's text, when the server gives one.
_SMTP_REPLY = re.compile(r"\((\d{3}), b['\"]")
_SMTP_STATUS = re.compile(r"\((\d{3}), b['\"](?:([245]\.\d{1,3}\.\d{1,3})\b)?")
# The stage of the conversation a refusal came at, by smtplib's exception (server/mail.py records its name):
# MAIL FROM (the sender, or the size the message declared), RCPT TO (a recipient), the message (DATA).
_SMTP_STAGES = (("SMTPSenderRefused:", "mail"), ("SMTPRecipientsRefused:", "rcpt"), ("SMTPDataError:", "data"))
# The message too large: 552 at MAIL (its declared SIZE) or at the message's end, or X.3.4 / X.2.3 anywhere.
_SIZE_STATUS = (".3.4", ".2.3")


def refusal_kind(error: str | None) -> str | None:
    """What a mail server's 5xx refusal refused, from its reply code, its enhanced status code and the stage it
    came at: "too_big" (552 at MAIL or at the message, 5.3.4, 5.2.3), "content" (the message refused once sent:
    spam, a policy, 5.6.x / 5.7.x at DATA; LKPP's address and ours are not at fault), "refused" (the sender at
    MAIL, a recipient at RCPT, 5.1.x: an address, or 5.2.x but 5.2.3: the recipient's mailbox, full or disabled,
    whatever the stage). None for anything else (no stage, a 4xx)."""
    text = error or ""
    stage = next((s for name, s in _SMTP_STAGES if name in text), None)
    replies = _SMTP_STATUS.findall(text)
    if stage is None or not replies or not all(code.startswith("5") for code, _ in replies):
        return None
    code, status = replies[0]
    if status.endswith(_SIZE_STATUS):
        return "too_big"
    if status.startswith(("5.1.", "5.2.")):  # a 552 5.2.2 (mailbox full) at the message's end is not its size
        return "refused"
    if code == "552" and stage in ("mail", "data"):
        return "too_big"
    return "content" if stage == "data" else "refused"


def permanent_refusal(error: str | None) -> bool:
    """Whether an SMTP failure's raw message is a refusal that trying again cannot mend: the mail server
    answered 5xx (RFC 5321 4.2.1, a permanent negative reply: 550 mailbox unknown, 554 transaction failed,
    535 login refused; every recipient's, when it names several), or it lacks what [escalation] asks of it
    (AUTH, STARTTLS: SMTPNotSupportedError). config.toml mends it, not waiting; a 4xx reply (451, 421) and a
    connection that fails or times out are tried again."""
    text = error or ""
    if "SMTPNotSupportedError" in text:
        return True
    codes = _SMTP_REPLY.findall(text)
    return bool(codes) and all(code.startswith("5") for code in codes)


def _mail_settings(esc: Any, lang: str) -> dict[str, Any]:
    """The [escalation] values the advice names (config.toml's keys, and whether the password's environment
    variable is set in the server's environment, never the password)."""
    password = "set" if os.environ.get(esc.password_env) else "unset"
    return {
        "host": esc.host,
        "port": esc.port,
        "security": esc.security,
        "username": esc.username,
        "sender": esc.sender,
        "to": esc.to,
        "password_env": esc.password_env,
        "password_state": t(f"mail.password.{password}", lang),
    }


def mail_advice(label: str, error: str | None, final: bool, esc: Any = None, requeued: bool = False) -> dict[str, Any]:
    """The alert for a failed escalation e-mail: the ticket, what is wrong and what to do, Indonesian and
    English, e.g. "E-mail eskalasi A-001: server e-mail tidak dapat dihubungi — periksa jaringan …".
    Given up (`final`): the case is to be forwarded by hand, or sent again with the Eskalasi page's Kirim ulang
    (Jobs.resend_mail) once what failed is mended; refused for good (`permanent_refusal`): not retried until the
    admin mends config.toml and restarts the server, which sends it again once, or, mended on the mail server's
    side, until someone presses Kirim ulang.
    `esc` ([escalation], EscalationSettings): the values of config.toml's keys the fix names. `requeued`: the
    mail was sent again at a start already (Jobs.requeue_refused_mails) and refused again: a start sends it
    again only once [escalation], the password or the case's text changed.
    `officer` ({id, en}): the same failure in one short line for the officer's counter page, e.g. "E-mail eskalasi
    A-001 belum terkirim: server e-mail tidak dapat dihubungi; dicoba lagi otomatis.": which case, whether it is
    still tried, the problem in a few words, and that the front office (the Eskalasi page) handles a mail not sent;
    the fix (config.toml's keys, restarts, Kirim ulang) is the front office's and the admin's.
    `staff` ({id, en}): the front office's alert, short: which case, the problem in the officer's few words
    (`problem`), and what they do now: forward it by hand when urgent (Salin untuk TTS/e-mail on the Eskalasi page),
    tell the admin, and that it is sent again by itself or with Kirim ulang once mended; `todo` ({id, en}): the same
    for the Eskalasi page's case, under its `problem`, naming the button on that card ("tekan Salin untuk TTS/e-mail
    di kartu ini"). `admin` ({id, en}): the admin's part, folded with the mail server's raw message behind "rincian
    untuk admin" under the staff's words: not the problem again (they say it; the raw message has its address and
    reply codes), but the fix naming config.toml's keys, and whether a restart or Kirim ulang sends it again, e.g.
    "Periksa di config.toml [escalation] to = … dan from = …; tidak dicoba lagi …". `id`/`en` stay the whole advice
    (the API's, e.g. for a script): it was the pages' one paragraph of ~600 characters, config keys first."""
    kind = mail_kind(error)
    refused = final and permanent_refusal(error)
    key = "mail.advice.refused" if refused else "mail.advice.final" if final else "mail.advice.retry"
    if refused and kind in ("content", "too_big"):
        key = "mail.advice.refused_content"  # config.toml does not mend it: the provider, or the words
    elif refused and kind == "blocked":
        key = "mail.advice.refused_client"  # the relay's admin mends it, or another host/port
    if refused and requeued:
        key = "mail.advice.refused_again"
    parts = ("officer", "staff", "problem", "todo", "admin")
    advice: dict[str, Any] = {"kind": kind, **{part: {} for part in parts}}
    if esc is None:
        from server.config import EscalationSettings

        esc = EscalationSettings()
    officer_key = "mail.officer.final" if final else "mail.officer.retry"
    situation = key.rsplit(".", 1)[1]  # retry, final, refused, refused_content, refused_client, refused_again
    # the staff's status words: a refusal of the content or of this client is a refusal all the same
    status = situation if situation in ("retry", "final", "refused_again") else "refused"
    todo_key = "refused" if situation == "refused_client" else situation  # the relay's fix is the admin's too
    for lang in ("id", "en"):
        values = _mail_settings(esc, lang)
        problem, fix = t(f"mail.problem.{kind}", lang, **values), t(f"mail.fix.{kind}", lang, **values)
        advice[lang] = t(key, lang, label=label, problem=problem, fix=fix)
        short = t(f"mail.officer.problem.{kind}", lang) if kind in _OFFICER_SHORT else problem
        advice["officer"][lang] = t(officer_key, lang, label=label, problem=short)
        # `todo` is the Eskalasi page's card, beside its Salin untuk TTS/e-mail; `staff`, the front office's alert, names
        # the page the button is on
        todo = t(f"mail.todo.{todo_key}", lang, copy=t("mail.copy.card", lang))
        advice["problem"][lang] = short
        advice["todo"][lang] = todo
        away = t(f"mail.todo.{todo_key}", lang, copy=t("mail.copy.page", lang))
        advice["staff"][lang] = t(f"mail.staff.{status}", lang, label=label, problem=short, todo=away)
        # the admin's fold: "call the admin" is the staff's fix for a failure of no known kind, not the admin's own.
        # It starts with the fix: the line it is folded under says the problem already (it was said twice, "…: server
        # e-mail menolak pengirim atau penerima. … server e-mail menolak pengirim atau penerima — periksa …"), and the
        # mail server's address and reply codes are in its raw reply, under it
        admin_fix = t("mail.fix.other_admin", lang) if kind == "other" else fix
        advice["admin"][lang] = _sentence(t(f"mail.admin.{situation}", lang, fix=admin_fix))
    return advice


def _sentence(text: str) -> str:
    """`text` as a sentence: its first letter upper case, unless it starts with a file's name ("config.toml …")."""
    first = text.split(" ", 1)[0]
    return text if "." in first or not text[:1].isalpha() else text[:1].upper() + text[1:]


# The kinds whose problem (`mail.problem.<kind>`) is too long for the officer's one line: said shorter
# (`mail.officer.problem.<kind>`), without the mail server's address or reply codes.
_OFFICER_SHORT = ("blocked", "busy", "later", "auth", "content", "no_answer")
