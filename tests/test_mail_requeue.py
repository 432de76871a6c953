"""An escalation mail the mail server refused for good (5xx) is sent again once at the next start, not at every
start (helper-222), and a server that refuses this client in its greeting (554 at connect) is said as such. Real
SMTP servers on 127.0.0.1 (aiosmtpd, tests/smtp.py) and real server processes, restarted."""

from __future__ import annotations

import asyncio
import json
import re
import threading

import pytest
import requests
from aiosmtpd.controller import Controller
from conftest import login, visitor, write_config
from live import ClockedServer, LiveServer
from playwright.sync_api import expect
from smtp import GreetingRefused, Inbox, SmtpServer, mailing_office
from test_mail import (
    Refusing,
    cases_when,
    escalate,
    escalate_live,
    escalations_of,
    free_port,
    mail_app,  # noqa: F401 - the fixture: the app with [escalation] on smtp_port
    smtp_port,  # noqa: F401 - the fixture
)

from server.mail import MailWorker
from server.outbox import MAIL_MAX_ATTEMPTS, Withdrawn
from server.service.jobs import RESEND_GAP_SECONDS

QUEUED_AGAIN = "escalation mail(s) the mail server refused: queued again"
BLOCK = 'enabled = false\nhost = "127.0.0.1"\nport = 25'


class CountingRefusal(Refusing):
    """Refusing that counts the RCPT commands it was sent: one for each try of a mail."""

    def __init__(self, rcpt: str, accept: str):
        super().__init__(rcpt, accept=accept)
        self.tries = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        self.tries += 1
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def mail_of(cases: list[dict], label: str) -> dict:
    return next(c for c in cases if c["label"] == label)["mail"]


def settled(label: str, status: str, attempts: int):
    """A cases_when condition: the case's mail is `status` after `attempts` tries."""
    return lambda cs: any(
        c["label"] == label and (c["mail"]["status"], c["mail"]["attempts"]) == (status, attempts) for c in cs
    )


def started(config, env: dict[str, str] | None = None) -> tuple[LiveServer, object]:
    """A real server on a port of its own (its own log) and an officer's session on it."""
    server = LiveServer(config, env=env).start()
    return server, server.session("budi", "rahasia-123")


def test_a_refused_mail_is_sent_again_at_the_next_start_only_then_once_config_toml_changed(tmp_path):
    """LKPP's address mistyped: the mail is refused (550), and every start of the server while its case was open
    queued it again, refused again with the same alert: an office restarting its PC daily sent LKPP the same
    refused mail daily. It is sent again at the first start after its refusal (the admin may have mended
    config.toml), then not until config.toml's [escalation] changed: the start after that sends it."""
    smtp = SmtpServer(free_port())
    smtp.inbox = CountingRefusal("550 5.1.1 <helpdesk@lkpp.go.idd>: User unknown", accept="helpdesk@lkpp.go.id")
    smtp.start()
    on = {BLOCK: f'enabled = true\nhost = "127.0.0.1"\nport = {smtp.port}'}
    mistyped = write_config(tmp_path, {**on, 'to = "helpdesk@lkpp.go.id"': 'to = "helpdesk@lkpp.go.idd"'})
    server = LiveServer(mistyped).start()
    try:
        server.add_user("budi", "officer")
        officer = server.session("budi", "rahasia-123")
        label = escalate_live(server, officer, "Rudi Hartono")
        mail = mail_of(cases_when(server, officer, settled(label, "failed", 1)), label)
        assert (mail["status"], mail["attempts"]) == ("failed", 1), mail
        assert mail["advice"]["id"].startswith(f"E-mail eskalasi {label} ditolak: ")
        assert "dikirim lagi sekali saat server mulai" in mail["advice"]["id"]
        server.stop()

        # the first start after the refusal: sent again (the admin may have mended it), refused again
        server, officer = started(mistyped)
        mail = mail_of(cases_when(server, officer, settled(label, "failed", 2)), label)
        assert (mail["status"], mail["attempts"]) == ("failed", 2), mail
        assert f"1 {QUEUED_AGAIN}" in server.log()
        # its alert no longer promises a start that sends it again: it names what a start needs changed
        advice = mail["advice"]
        assert advice["id"].startswith(f"E-mail eskalasi {label} ditolak lagi: server e-mail menolak pengirim")
        assert "sudah dikirim lagi sekali saat server mulai" in advice["id"]
        assert "hanya bila [escalation] di config.toml, kata sandinya, atau teks kasus ini" in advice["id"]
        assert advice["en"].startswith(f"Escalation e-mail {label} refused again: the mail server refused the")
        assert "only once [escalation] in config.toml, its password or the case's text" in advice["en"]
        assert smtp.inbox.tries == 2
        server.stop()

        # the second start, config.toml as it was: not sent again. A case escalated now is a marker: the
        # mail worker takes the mails in order, so once the marker's refusal is recorded it has passed the other
        server, officer = started(mistyped)
        assert QUEUED_AGAIN not in server.log()
        marker = escalate_live(server, officer, "Siti Aminah")
        cases = cases_when(server, officer, settled(marker, "failed", 1))
        assert (mail_of(cases, marker)["status"], mail_of(cases, marker)["attempts"]) == ("failed", 1)
        mail = mail_of(cases, label)
        assert (mail["status"], mail["attempts"]) == ("failed", 2), mail
        assert smtp.inbox.tries == 3  # the marker's one try; none for the mail refused twice
        assert mail["advice"]["id"].startswith(f"E-mail eskalasi {label} ditolak lagi: ")
        server.stop()

        # config.toml mended: the start sends both (the marker's first start after its refusal, the other's
        # [escalation] changed since it was last sent again)
        server, officer = started(write_config(tmp_path, on))
        cases = cases_when(server, officer, lambda cs: all(c["mail"]["status"] == "sent" for c in cs))
        state = {c["label"]: (c["mail"]["status"], c["mail"]["attempts"]) for c in cases}
        assert state == {label: ("sent", 3), marker: ("sent", 2)}
        assert f"2 {QUEUED_AGAIN}" in server.log()
        assert sorted(m[2]["Subject"].split(" - ")[1] for m in smtp.inbox.messages) == [
            f"tiket {label}",
            f"tiket {marker}",
        ]
    finally:
        server.stop()
        smtp.stop()


def test_a_refused_login_is_sent_again_once_its_password_alone_changed(tmp_path):
    """535: the SMTP password is wrong. Sent again at the first start after the refusal, not at the second with
    the same password; the admin then mends the password in the server's environment (/etc/antrian.env), not
    config.toml: the next start sends it (the password counts, kept as a keyed digest, never itself)."""
    from aiosmtpd.smtp import AuthResult

    logins: list[bytes] = []

    def only_the_new_password(server, session, envelope, mechanism, auth_data):
        logins.append(auth_data.password)
        return AuthResult(success=auth_data.password == b"sandi-baru", handled=False)

    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, auth_require_tls=False, authenticator=only_the_new_password
    )
    controller.start()
    config = write_config(
        tmp_path,
        {
            BLOCK: f'enabled = true\nhost = "127.0.0.1"\nport = {port}',
            'username = ""': 'username = "lpse@contoh.go.id"',
        },
    )
    old = {"ANTRIAN_SMTP_PASSWORD": "sandi-lama"}
    server = LiveServer(config, env=old).start()
    try:
        server.add_user("budi", "officer")
        officer = server.session("budi", "rahasia-123")
        label = escalate_live(server, officer, "Rudi Hartono")
        mail = mail_of(cases_when(server, officer, settled(label, "failed", 1)), label)
        assert (mail["status"], mail["attempts"]) == ("failed", 1) and "(535" in mail["error"], mail
        per_try = len(logins)  # smtplib tries each login method the server offers
        assert per_try and set(logins) == {b"sandi-lama"}
        server.stop()

        server, officer = started(config, old)  # the first start after the refusal
        mail = mail_of(cases_when(server, officer, settled(label, "failed", 2)), label)
        assert (mail["status"], mail["attempts"], mail["advice"]["kind"]) == ("failed", 2, "auth"), mail
        assert len(logins) == 2 * per_try
        server.stop()

        server, officer = started(config, old)  # the same password: not sent again
        assert QUEUED_AGAIN not in server.log()
        marker = escalate_live(server, officer, "Siti Aminah")
        cases = cases_when(server, officer, settled(marker, "failed", 1))
        assert mail_of(cases, marker)["attempts"] == 1
        assert (mail_of(cases, label)["status"], mail_of(cases, label)["attempts"]) == ("failed", 2)
        assert len(logins) == 3 * per_try and set(logins) == {b"sandi-lama"}  # the marker's try alone
        server.stop()

        server, officer = started(config, {"ANTRIAN_SMTP_PASSWORD": "sandi-baru"})
        cases = cases_when(server, officer, lambda cs: all(c["mail"]["status"] == "sent" for c in cs))
        assert {c["label"]: c["mail"]["attempts"] for c in cases} == {label: 3, marker: 2}
        assert len(inbox.messages) == 2
        # the database keeps no password, nor a plain hash of it
        import hashlib
        import sqlite3

        with sqlite3.connect(tmp_path / "antrian.db") as db:
            kept = " ".join(str(v) for row in db.execute("SELECT * FROM mails") for v in row)
        for password in ("sandi-lama", "sandi-baru"):
            assert password not in kept and hashlib.sha256(password.encode()).hexdigest() not in kept
    finally:
        server.stop()
        controller.stop()


def test_a_refused_content_is_sent_again_once_its_analysis_was_corrected(mail_app, smtp_port):  # noqa: F811
    """A 554 5.7.1 to the message (spam): config.toml cannot mend it, the case's words can. Sent again at the
    first start after its refusal, then at a start only once the officer corrected the analysis."""
    handler = Refusing(data="554 5.7.1 Message rejected as spam")
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    service = mail_app.extensions["antrian"]
    key = mail_app.secret_key
    try:
        client, h, _ = escalate(mail_app)
        worker = MailWorker(service)
        assert worker.run_once() == 1
        assert service.requeue_refused_mails(key) == 1  # the first start after its refusal
        assert worker.run_once() == 1
        mail = escalations_of(client, h)[0]["mail"]
        assert (mail["status"], mail["attempts"], mail["advice"]["kind"]) == ("failed", 2, "content")
        assert mail["advice"]["id"].startswith("E-mail eskalasi A-001 ditolak lagi: server e-mail menolak isi")
        assert service.requeue_refused_mails(key) == 0  # later starts, nothing changed
        assert service.requeue_refused_mails(key) == 0
        r = client.post(
            "/api/tickets/A-001/correct", headers=h, json={"escalation_note": "Kunci publik paket perlu dicek LKPP"}
        )
        assert r.status_code == 200, r.get_json()
        handler.data = None  # the provider takes the corrected words
        assert service.requeue_refused_mails(key) == 1
        assert worker.run_once() == 1
        assert escalations_of(client, h)[0]["mail"]["status"] == "sent"
        assert "Kunci publik paket perlu dicek LKPP" in handler.messages[0][2].get_content()
    finally:
        controller.stop()


@pytest.mark.parametrize(
    "greeting",
    [
        "554 5.7.1 Client host [127.0.0.1] blocked using zen.spamhaus.org",
        # words an address refusal has ("relay", "sender"): the greeting came before any address
        "554 5.7.1 Relay access denied: sender IP not permitted",
    ],
)
def test_a_554_greeting_is_the_server_refusing_this_client_not_an_address(mail_app, smtp_port, greeting):  # noqa: F811
    """The relay refuses the office at its greeting (a policy, the office's IP address blocklisted): it was said
    as "the mail server refused the sender or the recipient — check [escalation] to and from", which are right.
    Its own kind, naming the host and port keys and asking that the relay accept the office's address."""
    smtp = GreetingRefused(smtp_port, greeting)
    smtp.start()
    try:
        client, h, _ = escalate(mail_app)
        assert MailWorker(mail_app.extensions["antrian"]).run_once() == 1
        mail = escalations_of(client, h)[0]["mail"]
    finally:
        smtp.stop()
    assert not any(c.upper().startswith(("MAIL", "RCPT")) for c in smtp.commands), smtp.commands
    assert (mail["status"], mail["attempts"]) == ("failed", 1), mail  # refused for good: not retried
    assert "SMTPConnectError: (554, " in mail["error"]
    advice = mail["advice"]
    assert advice["kind"] == "blocked"
    assert advice["id"] == (
        f"E-mail eskalasi A-001 ditolak: server e-mail 127.0.0.1:{smtp_port} menolak sambungan dari server Antrian"
        " ini sejak salam pembukanya (biasanya 554: kebijakan server itu, atau alamat IP kantor masuk daftar"
        " blokir), sebelum alamat pengirim atau penerima dikirim — periksa di config.toml [escalation] host ="
        f' "127.0.0.1" dan port = {smtp_port} (server relay SMTP yang boleh dipakai kantor), lalu minta pengelola'
        " server itu memastikan relay menerima sambungan dari alamat IP kantor (alamat publiknya bila lewat"
        " internet); [escalation] to dan from tidak perlu diubah; tidak dicoba lagi (percobaan berikutnya akan"
        " ditolak juga). Setelah relay menerima alamat kantor, tekan Kirim ulang di halaman Eskalasi (tanpa memulai"
        " ulang server); bila admin mengganti host/port di config.toml, mulai ulang server: e-mail ini dikirim lagi"
        " sekali saat server mulai; bila mendesak, teruskan kasus ini ke LKPP secara manual (salin teksnya di"
        " halaman Eskalasi)"
    )
    assert advice["en"].startswith(
        f"Escalation e-mail A-001 refused: the mail server 127.0.0.1:{smtp_port} refused this Antrian server's"
        " connection in its greeting (usually 554: that server's policy, or the office's IP address on a"
        " blocklist), before any sender or recipient address was sent — check in config.toml [escalation] host ="
        f' "127.0.0.1" and port = {smtp_port} (the SMTP relay the office may use), then ask that server\'s'
        " administrator to make sure the relay accepts connections from the office's IP address"
    )
    assert "menolak pengirim atau penerima" not in advice["id"] and 'to = "' not in advice["id"]


def test_a_554_greeting_at_each_start_is_sent_again_once_not_at_every_start(tmp_path):
    """A real server restarted twice against a relay that refuses it at its greeting: the first start after
    the refusal tries again (the relay may have been told to accept the office), the second does not."""
    smtp = GreetingRefused(free_port(), "554 5.7.1 Client host rejected: blocklisted")
    smtp.start()
    config = write_config(tmp_path, {BLOCK: f'enabled = true\nhost = "127.0.0.1"\nport = {smtp.controller.port}'})
    server = LiveServer(config).start()
    try:
        server.add_user("budi", "officer")
        officer = server.session("budi", "rahasia-123")
        label = escalate_live(server, officer, "Rudi Hartono")
        mail = mail_of(cases_when(server, officer, settled(label, "failed", 1)), label)
        assert mail["advice"]["kind"] == "blocked", mail
        server.stop()

        server, officer = started(config)
        mail = mail_of(cases_when(server, officer, settled(label, "failed", 2)), label)
        assert f"1 {QUEUED_AGAIN}" in server.log() and mail["advice"]["kind"] == "blocked"
        server.stop()

        server, officer = started(config)
        assert QUEUED_AGAIN not in server.log()
        marker = escalate_live(server, officer, "Siti Aminah")  # once its mail is refused, the worker passed
        cases = cases_when(server, officer, settled(marker, "failed", 1))
        mail = mail_of(cases, label)
        assert (mail["status"], mail["attempts"], mail["advice"]["kind"]) == ("failed", 2, "blocked"), mail
        assert mail["advice"]["id"].startswith(f"E-mail eskalasi {label} ditolak lagi: server e-mail 127.0.0.1:")
    finally:
        server.stop()
        smtp.stop()


# -- Kirim ulang: a failed mail sent again by hand, without a restart (helper-226) ---------------------------------


def resend(client, h, ref, request_id: str | None = None):
    body = {"request_id": request_id} if request_id else {}
    return client.post(f"/api/escalations/{ref}/resend", headers=h, json=body)


def test_a_refused_mail_is_sent_again_by_hand_once_the_mail_servers_side_was_mended(mail_app, smtp_port):  # noqa: F811
    """LKPP's mailbox did not exist (550 5.1.1): refused for good, and nothing but a restart of the server sent it
    again, though nothing in config.toml was wrong. Once LKPP made the mailbox, Kirim ulang (POST
    /api/escalations/<id>/resend) queues it again at once: its attempts kept, its error cleared, a `mail_requeued`
    event for the staff pages; a repeat of the same request_id answers the same and queues nothing more."""
    handler = CountingRefusal("550 5.1.1 <helpdesk@lkpp.go.id>: Recipient address rejected: User unknown", accept="")
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    service = mail_app.extensions["antrian"]
    try:
        client, h, _ = escalate(mail_app)
        case_id = escalations_of(client, h)[0]["id"]
        worker = MailWorker(service)
        assert worker.run_once() == 1
        mail = escalations_of(client, h)[0]["mail"]
        assert (mail["status"], mail["attempts"], mail["advice"]["kind"]) == ("failed", 1, "refused"), mail
        # its alert says what the button is for
        assert "tekan Kirim ulang di halaman Eskalasi tanpa memulai ulang server" in mail["advice"]["id"]
        assert "press Send again (Kirim ulang) on the Escalations page, no restart needed" in mail["advice"]["en"]

        handler.rcpt = None  # LKPP made the mailbox
        r = resend(client, h, case_id, "kirim-ulang-1")
        assert r.status_code == 202, r.get_json()
        answer = r.get_json()
        assert answer["mail"] == {"id": mail["id"], "status": "queued", "attempts": 1} and answer["label"] == "A-001"
        again = resend(client, h, case_id, "kirim-ulang-1")  # a double tap, a retried request
        assert (again.status_code, again.get_json()) == (202, answer)
        queued = escalations_of(client, h)[0]["mail"]
        assert (queued["status"], queued["attempts"], queued["error"]) == ("queued", 1, None)
        assert "advice" not in queued
        with service.store.read() as tx:
            events = tx.rows("SELECT seq, type, actor, data FROM events WHERE type = 'mail_requeued'")
            requeued_with = tx.one("SELECT requeued_with FROM mails")["requeued_with"]
        assert [(e["seq"], e["actor"], json.loads(e["data"])) for e in events] == [
            (answer["seq"], "budi", {"mail": mail["id"], "status": "queued", "attempts": 1})
        ]
        assert requeued_with is None  # the start's own rule (sent again once at the next start) is left as it was

        # a second press while it waits for the worker: not queued twice
        pending = resend(client, h, case_id, "kirim-ulang-2")
        assert (pending.status_code, pending.get_json()["error"]) == (409, "mail_pending")
        assert "sedang dikirim" in pending.get_json()["message"]

        assert worker.run_once() == 1
        mail = escalations_of(client, h)[0]["mail"]
        assert (mail["status"], mail["attempts"], mail["error"]) == ("sent", 2, None), mail
        assert handler.tries == 2 and len(handler.messages) == 1
        assert " - tiket A-001 - " in handler.messages[0][2]["Subject"]
        sent = resend(client, h, "A-001", "kirim-ulang-3")
        assert (sent.status_code, sent.get_json()["error"]) == (409, "mail_sent_already")
        assert service.requeue_refused_mails(mail_app.secret_key) == 0  # a start sends nothing more
        assert worker.run_once() == 0 and len(handler.messages) == 1
    finally:
        controller.stop()


def test_kirim_ulang_is_refused_saying_why_for_a_mail_that_needs_no_sending(mail_app, smtp_port):  # noqa: F811
    """409 with the reason and nothing changed: a mail being retried, a case whose LKPP number is recorded
    (forwarded by hand: LKPP would get it twice), a closed case, a ticket never escalated; 404 for none. The front
    office may press it (the Eskalasi page is theirs too), anonymous may not. A mail given up after its tries (a day)
    is tried once more, and given up again with the same advice when it fails."""
    client, h, _ = escalate(mail_app)  # no SMTP server on smtp_port: the connection is refused, retried
    service = mail_app.extensions["antrian"]
    worker = MailWorker(service)
    assert worker.run_once() == 1
    assert escalations_of(client, h)[0]["mail"]["status"] == "retrying"
    pending = resend(client, h, "A-001")
    assert (pending.status_code, pending.get_json()["error"]) == (409, "mail_pending")

    with service.store.write() as tx:  # given up after its tries
        tx.update_mail(1, status="failed", attempts=MAIL_MAX_ATTEMPTS)
    assert mail_app.test_client().post("/api/escalations/A-001/resend", json={}).status_code == 401
    front = mail_app.test_client()
    fh = login(mail_app, front, "rina", "frontoffice")
    r = resend(front, fh, "A-001")
    assert r.status_code == 202 and r.get_json()["mail"]["attempts"] == MAIL_MAX_ATTEMPTS, r.get_json()
    assert worker.run_once() == 1
    mail = escalations_of(client, h)[0]["mail"]
    assert (mail["status"], mail["attempts"], mail["advice"]["kind"]) == (
        "failed",
        MAIL_MAX_ATTEMPTS + 1,
        "unreachable",
    ), mail
    assert mail["advice"]["id"].endswith(
        "teruskan kasus ini ke LKPP secara manual (salin teksnya di halaman Eskalasi), atau tekan Kirim ulang di"
        " halaman itu setelah masalahnya teratasi"
    )

    r = client.post("/api/tickets/A-001/lkpp-ticket", headers=h, json={"lkpp_ticket": "TTS-2026-0042"})
    assert r.status_code == 200
    forwarded = resend(front, fh, "A-001")
    assert (forwarded.status_code, forwarded.get_json()["error"]) == (409, "mail_forwarded")
    assert "TTS-2026-0042" in forwarded.get_json()["message"]
    r = client.post("/api/tickets/A-001/close", headers=h, json={"answer": "Kunci dibuat ulang"})
    assert r.status_code == 200
    closed = resend(front, fh, "1")
    assert (closed.status_code, closed.get_json()["error"]) == (409, "mail_case_closed")
    english = front.post("/api/escalations/1/resend?lang=en", headers=fh, json={})
    assert english.get_json()["message"] == (
        "Case A-001 is already closed (LKPP's answer is recorded): its escalation e-mail is not sent again."
    )
    client.post("/api/tickets", json=visitor())
    with service.store.read() as tx:
        before = (tx.last_seq(), tx.rows("SELECT * FROM mails"))
    waiting = resend(client, h, "A-002")
    assert (waiting.status_code, waiting.get_json()["error"]) == (409, "invalid_transition")
    assert resend(client, h, "A-404").status_code == 404
    with service.store.read() as tx:
        assert (tx.last_seq(), tx.rows("SELECT * FROM mails")) == before
        assert tx.one("SELECT count(*) AS n FROM events WHERE type = 'mail_requeued'")["n"] == 1  # the front office's


def test_kirim_ulang_with_escalation_mail_off_is_refused(app):
    """[escalation] enabled = false: a case escalated so has no mail (409 no_mail); a mail that failed while mail
    was on cannot be sent now that it is off (409 mail_off): the page says to forward the case by hand."""
    client, h, _ = escalate(app)
    none = resend(client, h, "A-001")
    assert (none.status_code, none.get_json()["error"]) == (409, "no_mail")
    service = app.extensions["antrian"]
    with service.store.write() as tx:
        mail_id = tx.add_mail(1, "escalation", "[Eskalasi] A-001", service.clock())
        tx.update_mail(mail_id, status="failed", attempts=1, error="SMTPRecipientsRefused: (550, b'x')")
    off = resend(client, h, "A-001")
    assert (off.status_code, off.get_json()["error"]) == (409, "mail_off")
    assert "[escalation] enabled = false" in off.get_json()["message"]
    with service.store.read() as tx:
        assert tx.one("SELECT status FROM mails")["status"] == "failed"


def test_kirim_ulang_of_a_mail_left_retrying_when_mail_was_turned_off_says_mail_is_off(tmp_path):
    """A mail retried (no mail server answers) when the admin set [escalation] enabled = false and restarted: no
    mail worker runs, so nothing sends it. Kirim ulang answered `mail_pending`, "being sent ... no need to send it
    again", of a mail nothing would ever send; it is `mail_off`, telling to forward the case by hand."""
    port = free_port()  # nothing listens: the try is refused, retried later
    config = write_config(tmp_path, {BLOCK: f'enabled = true\nhost = "127.0.0.1"\nport = {port}'})
    server = LiveServer(config).start()
    try:
        server.add_user("budi", "officer")
        officer = server.session("budi", "rahasia-123")
        label = escalate_live(server, officer, "Rudi Hartono")
        case = next(c for c in cases_when(server, officer, settled(label, "retrying", 1)) if c["label"] == label)
        server.stop()
        server, officer = started(write_config(tmp_path))  # the same database, mail off
        r = officer.post(f"{server.url}/api/escalations/{case['id']}/resend", json={}, timeout=5)
        assert (r.status_code, r.json()["error"]) == (409, "mail_off"), r.text
        assert "[escalation] enabled = false" in r.json()["message"]
        assert mail_of(cases_when(server, officer, lambda cs: True), label)["status"] == "retrying"
    finally:
        server.stop()


def test_a_relay_that_refused_the_office_takes_its_mail_on_kirim_ulang_without_a_restart(tmp_path):
    """The relay refused the office's address at its greeting (554): the alert asked the relay's admin to allow it,
    then to restart Antrian. Once allowed, Kirim ulang on the running server sends the mail: no restart. The staff
    feed says `mail_requeued`, then `mail_sent`; the public feed (a TV) hears neither."""
    from test_realtime import Client, cookie_header

    port = free_port()
    relay = GreetingRefused(port, "554 5.7.1 Client host rejected: not on the relay's list")
    relay.start()
    smtp = SmtpServer(port)
    config = write_config(tmp_path, {BLOCK: f'enabled = true\nhost = "127.0.0.1"\nport = {port}'})
    server = LiveServer(config).start()
    watchers: list[Client] = []
    try:
        server.add_user("rina", "frontoffice")
        server.add_user("budi", "officer")
        officer = server.session("budi", "rahasia-123")
        front = server.session("rina", "rahasia-123")
        label = escalate_live(server, officer, "Rudi Hartono")
        case = next(c for c in cases_when(server, front, settled(label, "failed", 1)) if c["label"] == label)
        assert case["mail"]["advice"]["kind"] == "blocked", case["mail"]
        advice = case["mail"]["advice"]["id"]
        assert "Setelah relay menerima alamat kantor, tekan Kirim ulang di halaman Eskalasi" in advice
        relay.stop()
        relay = None
        smtp.start()  # the relay's admin allowed the office's address
        watchers.append(Client(server.url, {"role": "display"}))
        watchers.append(Client(server.url, {"role": "staff"}, cookie_header(front)))
        tv, staff = watchers
        tv.snapshot(), staff.snapshot()

        r = front.post(f"{server.url}/api/escalations/{case['id']}/resend", json={"request_id": "r-1"}, timeout=5)
        assert r.status_code == 202, r.text
        requeued = staff.event("mail_requeued", timeout=10)
        assert (requeued["ticket"]["label"], requeued["actor"], requeued["data"]["attempts"]) == (label, "rina", 1)
        assert staff.event("mail_sent", timeout=15)["ticket"]["label"] == label
        mail = mail_of(cases_when(server, front, settled(label, "sent", 2)), label)
        assert (mail["status"], mail["attempts"]) == ("sent", 2), mail
        (message,) = smtp.wait_for_mail(1, 10)
        assert f" - tiket {label} - " in message[2]["Subject"]
        marker = requests.post(f"{server.url}/api/tickets", json=visitor(name="Penanda"), timeout=5).json()["ticket"]
        tv.until_issued(marker["label"])
        assert not [ev["type"] for ev in tv.all_events if ev["type"].startswith("mail_")]
        assert QUEUED_AGAIN not in server.log()  # the same process: no start sent it
    finally:
        for c in watchers:
            c.close()
        server.stop()
        smtp.stop()
        if relay is not None:
            relay.stop()


def test_a_421_greeting_is_said_as_a_busy_server_and_retried(mail_app, smtp_port, clock):  # noqa: F811
    """A server answering its greeting with 421 (too many connections, a short stop) was "sending failed — see the
    technical message and contact the admin". It is busy or refusing for now: retried, nothing to mend in
    config.toml; and once it greets with 220, the retry sends the mail."""
    smtp = GreetingRefused(smtp_port, "421 4.7.0 mail.contoh.go.id Too many connections, try again later")
    smtp.start()
    try:
        client, h, _ = escalate(mail_app)
        worker = MailWorker(mail_app.extensions["antrian"])
        assert worker.run_once() == 1
        mail = escalations_of(client, h)[0]["mail"]
    finally:
        smtp.stop()
    assert not any(c.upper().startswith(("MAIL", "RCPT")) for c in smtp.commands), smtp.commands
    assert (mail["status"], mail["attempts"]) == ("retrying", 1), mail  # a 4xx: tried again
    assert "SMTPConnectError: (421, " in mail["error"]
    advice = mail["advice"]
    assert advice["kind"] == "busy"
    assert advice["id"] == (
        f"E-mail eskalasi A-001: server e-mail 127.0.0.1:{smtp_port} sedang sibuk atau untuk sementara menolak"
        " sambungan (balasan 4xx di salam pembukanya, mis. 421: terlalu banyak sambungan, atau layanannya sedang"
        " dihentikan sebentar) — config.toml tidak perlu diubah; bila terus berulang, tanyakan kepada pengelola"
        " server itu apakah ada batas sambungan atau pengiriman untuk alamat IP kantor; dicoba lagi otomatis"
    )
    assert advice["en"] == (
        f"Escalation e-mail A-001: the mail server 127.0.0.1:{smtp_port} is busy or refusing connections for now (a"
        " 4xx reply in its greeting, e.g. 421: too many connections, or its service briefly stopped) — config.toml"
        " needs no change; if it keeps happening, ask that server's administrator whether it limits connections or"
        " sending from the office's IP address; it is retried automatically"
    )
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        clock.advance(seconds=5)  # past the first retry's wait
        assert worker.run_once() == 1
        assert len(inbox.messages) == 1
        assert escalations_of(client, h)[0]["mail"]["status"] == "sent"
    finally:
        controller.stop()


class Gated(CountingRefusal):
    """CountingRefusal that holds each RCPT until `gate` is open: a try the page can be seen waiting for."""

    def __init__(self, rcpt: str, accept: str):
        super().__init__(rcpt, accept)
        self.gate = threading.Event()
        self.gate.set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        while not self.gate.is_set():
            await asyncio.sleep(0.02)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def test_the_eskalasi_page_sends_a_failed_mail_again_and_says_what_became_of_it(browser, tmp_path):
    """Kirim ulang beside a refused mail's advice, pressed by the front office: the card says the mail is queued
    again, then, from the live events, that it was refused again (the button back), and once LKPP's mailbox
    exists, sent (the button gone); in Indonesian, and in English after the toggle."""
    from staffpages import sign_in

    handler = Gated("550 5.1.1 <helpdesk@lkpp.go.id>: Recipient address rejected: User unknown", accept="")
    # its clock moved past the gap between two presses (RESEND_GAP_SECONDS)
    with mailing_office(tmp_path, handler, ClockedServer) as server:
        server.add_user("budi", "officer")
        server.add_user("rina", "frontoffice")
        officer = server.session("budi", "rahasia-123")
        label = escalate_live(server, officer, "Rudi Hartono")
        case = next(c for c in cases_when(server, officer, settled(label, "failed", 1)) if c["label"] == label)
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
        page = sign_in(context.new_page(), server, "/counter/escalations", "rina")
        card = page.locator(f"#cases li.case[data-id='{case['id']}']")
        button = card.locator(".resend button.resend-mail")
        status = card.locator(".resend .resend-status")
        # what failed, in a few words (the case's label is the card's): the admin's part is folded (test_mail_detail_folded)
        said = "server e-mail menolak pengirim atau penerima."
        expect(card.locator(".mail .mail-said")).to_have_text(f"Gagal dikirim setelah 1 percobaan: {said}")
        expect(button).to_have_text("Kirim ulang")
        expect(button).to_be_visible()
        expect(button).to_have_attribute("aria-label", f"Kirim ulang e-mail eskalasi {label} sekarang")

        handler.gate.clear()  # the mail server holds the next try until the page said it is queued
        button.click()
        expect(status).to_have_text(f"E-mail {label} dimasukkan lagi ke antrian kirim — menunggu dikirim…")
        expect(button).to_be_hidden()
        expect(card.locator(".mail")).to_have_attribute("data-state", "queued")
        handler.gate.set()  # refused again: the mailbox is not there yet
        expect(status).to_have_text(f"E-mail {label} dikirim ulang, tetapi gagal lagi (lihat di atas).")
        expect(status).to_have_attribute("data-state", "failed")
        expect(card.locator(".mail .mail-said")).to_have_text(f"Gagal dikirim setelah 2 percobaan: {said}")
        expect(button).to_be_visible()
        assert handler.tries == 2

        button.click()  # pressed again at once: one press in RESEND_GAP_SECONDS (each sends the server a connection)
        # 30 s from the last press, less what the server's clock (real time) ran since: a second or more under load
        expect(status).to_have_text(
            re.compile(
                re.escape(f"E-mail eskalasi {label} baru saja dicoba: kirim ulang lagi setelah ")
                + r"(30|2\d) detik"
                + re.escape(
                    " (setiap percobaan membuka sambungan ke server e-mail, dan terlalu sering dapat membuat alamat"
                    " kantor diblokir)."
                )
                + "$"
            )
        )
        expect(status).to_have_attribute("data-state", "refused")
        assert handler.tries == 2
        server.advance(RESEND_GAP_SECONDS)

        handler.rcpt = None  # LKPP made the mailbox
        button.click()
        expect(status).to_have_text(f"E-mail {label} terkirim setelah dikirim ulang.")
        expect(card.locator(".mail")).to_have_attribute("data-state", "sent")
        expect(button).to_be_hidden()
        assert len(handler.messages) == 1
        page.click("#lang-toggle")
        expect(status).to_have_text(f"E-mail {label} was sent after being sent again.")
        expect(button).to_have_text("Send again")
        page.click("#lang-toggle")

        # a colleague records LKPP's number while this page's list is stale (its reads held back): the press is
        # refused with the server's words under the button, which stay once the list says the case was forwarded
        handler.rcpt = "550 5.1.1 <helpdesk@lkpp.go.id>: Recipient address rejected: User unknown"
        other = escalate_live(server, officer, "Siti Aminah")
        case = next(c for c in cases_when(server, officer, settled(other, "failed", 1)) if c["label"] == other)
        card = page.locator(f"#cases li.case[data-id='{case['id']}']")
        button, status = card.locator("button.resend-mail"), card.locator(".resend-status")
        expect(button).to_be_visible()
        page.route("**/api/escalations", lambda route: route.abort())
        r = officer.post(f"{server.url}/api/tickets/{other}/lkpp-ticket", json={"lkpp_ticket": "TTS-77"}, timeout=5)
        assert r.status_code == 200, r.text
        button.click()
        expect(status).to_have_text(
            f"Nomor tiket LKPP kasus {other} sudah dicatat (TTS-77): kasus ini sudah sampai ke LKPP, jadi e-mail"
            " eskalasinya tidak dikirim lagi (LKPP akan menerima kasus yang sama dua kali)."
        )
        expect(status).to_have_attribute("data-state", "refused")
        page.unroute("**/api/escalations")
        officer.post(f"{server.url}/api/tickets/{other}/correct", json={"escalation_note": "Perlu LKPP."}, timeout=5)
        expect(card.locator(".mail")).to_have_attribute("data-state", "forwarded")
        expect(button).to_be_hidden()
        expect(status).to_contain_text("sudah sampai ke LKPP")
        assert handler.tries == 4  # the refused press sent nothing

        # a mail being retried (the mail server busy) when the case is forwarded by hand: withdrawn, and said so
        handler.rcpt = "451 4.3.0 Mailbox busy, try again later"
        third = escalate_live(server, officer, "Joko Susilo")
        case = next(c for c in cases_when(server, officer, settled(third, "retrying", 1)) if c["label"] == third)
        card = page.locator(f"#cases li.case[data-id='{case['id']}']")
        expect(card.locator(".mail")).to_have_attribute("data-state", "retrying")
        r = officer.post(f"{server.url}/api/tickets/{third}/lkpp-ticket", json={"lkpp_ticket": "TTS-78"}, timeout=5)
        assert r.status_code == 200, r.text
        expect(card.locator(".mail")).to_have_attribute("data-state", "forwarded")
        expect(card.locator(".mail")).to_contain_text(
            "Tidak dikirim: sudah diteruskan ke Helpdesk LKPP, tiket TTS-78 (LKPP tidak menerima kasus ini dua kali)."
        )
        expect(card.locator("button.resend-mail")).to_be_hidden()
        context.close()


def test_the_front_offices_mail_alert_goes_while_the_mail_is_sent_again_and_comes_back_if_refused(browser, tmp_path):
    """The front office page's alert of a refused mail stayed while the mail, sent again by Kirim ulang, waited for
    the mail server: it said "refused" of a mail being sent. It goes with the `mail_requeued` event, and the try
    that is refused again brings it back."""
    from staffpages import sign_in

    handler = Gated("550 5.1.1 <helpdesk@lkpp.go.id>: Recipient address rejected: User unknown", accept="")
    with mailing_office(tmp_path, handler) as server:
        server.add_user("budi", "officer")
        server.add_user("rina", "frontoffice")
        officer = server.session("budi", "rahasia-123")
        label = escalate_live(server, officer, "Rudi Hartono")
        case = next(c for c in cases_when(server, officer, settled(label, "failed", 1)) if c["label"] == label)
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
        page = sign_in(context.new_page(), server, "/counter/front", "rina")
        alert = page.locator("#alerts li[data-type=mail_failed]")
        expect(alert).to_contain_text(f"E-mail eskalasi {label} ditolak: ")
        handler.gate.clear()  # the try waits at the mail server
        r = officer.post(f"{server.url}/api/escalations/{case['id']}/resend", json={}, timeout=5)
        assert r.status_code == 202, r.text
        expect(alert).to_have_count(0)
        handler.gate.set()
        expect(alert).to_contain_text(f"E-mail eskalasi {label} ditolak: ")
        assert handler.tries == 2
        context.close()


def test_a_mail_still_being_tried_is_withdrawn_once_the_case_reached_lkpp_by_hand(mail_app, smtp_port, clock):  # noqa: F811
    """The mail server unreachable, the mail is being retried; meanwhile the officer forwards the case by hand and
    records LKPP's ticket number (or LKPP's answer closes it). The mail went on being tried and, once the mail
    server was back, LKPP got the case a second time. It is `withdrawn`: not tried again, and a try that was
    already on its way when the number was recorded does not make it `retrying` again."""
    client, h, _ = escalate(mail_app)  # nothing listens on smtp_port: the connection is refused, retried
    service = mail_app.extensions["antrian"]
    worker = MailWorker(service)
    assert worker.run_once() == 1
    assert escalations_of(client, h)[0]["mail"]["status"] == "retrying"
    clock.advance(seconds=5)  # its retry is due
    with service.store.read() as tx:
        (row, read), *_ = worker.due(tx, service.clock())  # a round that began before the number was recorded
    r = client.post("/api/tickets/A-001/lkpp-ticket", headers=h, json={"lkpp_ticket": "TTS-2026-0077"})
    assert r.status_code == 200, r.get_json()
    mail = escalations_of(client, h)[0]["mail"]
    assert (mail["status"], mail["attempts"]) == ("withdrawn", 1), mail
    with pytest.raises(Withdrawn):  # that round's turn comes: looked at again just before, not sent
        worker.prepare(row, read)
    service.mail_result(row, "ConnectionRefusedError: [Errno 111] Connection refused")  # a try already on its way
    assert escalations_of(client, h)[0]["mail"]["status"] == "withdrawn"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        clock.advance(seconds=600)
        assert worker.run_once() == 0
        # a second case closed with LKPP's answer while its mail waited: withdrawn too, the first still not sent
        client.post("/api/tickets", json=visitor(name="Kedua"))
        client.post("/api/counters/1/call-next", headers=h)
        client.post("/api/counters/1/start", headers=h)
        r = client.post("/api/counters/1/escalate", headers=h, json={"note": "Perlu LKPP", "category": "pengaduan"})
        assert r.status_code == 200, r.get_json()
        second = r.get_json()["ticket"]["label"]
        r = client.post(f"/api/tickets/{second}/close", headers=h, json={"answer": "Dijawab LKPP lewat telepon"})
        assert r.status_code == 200, r.get_json()
        assert worker.run_once() == 0
        assert inbox.messages == []
        with service.store.read() as tx:
            assert [m["status"] for m in tx.rows("SELECT status FROM mails ORDER BY id")] == ["withdrawn", "withdrawn"]
    finally:
        controller.stop()


def test_an_hour_without_the_mail_server_delays_the_mail_and_it_goes_once_it_is_back(mail_app, clock, smtp_port):  # noqa: F811
    """The office's internet down for over two hours: the mail was given up after 8 tries in 8.5 minutes ("Gagal
    dikirim"), every escalation of those hours waiting for someone to press Kirim ulang on each. It is tried on, once
    every 10 minutes (for about a day), and goes at the first try after the mail server is back."""
    client, h, _ = escalate(mail_app)  # no SMTP server on smtp_port: the connection is refused
    worker = MailWorker(mail_app.extensions["antrian"])
    for _ in range(14):  # 8 tries in the first 17 minutes, then one every 10 minutes: 140 minutes
        assert worker.run_once() == 1
        clock.advance(minutes=10)
    mail = escalations_of(client, h)[0]["mail"]
    assert (mail["status"], mail["attempts"], mail["advice"]["kind"]) == ("retrying", 14, "unreachable"), mail
    smtp = SmtpServer(smtp_port)
    smtp.start()  # back
    try:
        assert worker.run_once() == 1
        mail = escalations_of(client, h)[0]["mail"]
        assert (mail["status"], mail["attempts"]) == ("sent", 15), mail
        assert len(smtp.wait_for_mail(1, 10)) == 1
    finally:
        smtp.stop()
