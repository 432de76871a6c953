"""Escalation e-mail to the LKPP helpdesk through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import time
from email.message import EmailMessage

import pytest
import requests
from aiosmtpd.controller import Controller
from conftest import login, visitor, write_config
from live import LiveServer
from smtp import Inbox, SmtpServer

from server.app import create_app
from server.mail import MailWorker


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def mail_app(tmp_path, clock, smtp_port):
    cfg = write_config(
        tmp_path,
        {'enabled = false\nhost = "127.0.0.1"\nport = 25': f'enabled = true\nhost = "127.0.0.1"\nport = {smtp_port}'},
    )
    app = create_app(cfg, workers=False, clock=clock)
    yield app
    app.extensions["antrian"].stop()
    app.extensions["antrian"].store.close()


def escalate(app, **profile):
    client = app.test_client()
    client.post("/api/tickets", json=visitor(name="Ma'ruf Amin", problem="Dokumen penawaran gagal terenkripsi"))
    h = login(app, client, "budi")
    if profile:  # the account's full name and NIP (the admin page's Ubah nama/NIP)
        set_name(app, "budi", **profile)
    client.post("/api/counters/1/call-next", headers=h)
    client.post("/api/counters/1/start", headers=h)
    r = client.post(
        "/api/counters/1/escalate",
        headers=h,
        json={"note": "Kunci publik paket rusak; perlu dicek LKPP", "category": "pengaduan"},
    )
    assert r.status_code == 200
    return client, h, r.get_json()


def test_escalation_mail_reaches_the_smtp_server_with_subject_and_body(mail_app, smtp_port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        client, h, body = escalate(mail_app)
        assert body["escalation"]["mail"]["status"] == "queued"
        assert MailWorker(mail_app.extensions["antrian"]).run_once() == 1
        assert len(inbox.messages) == 1
        sender, rcpts, msg = inbox.messages[0]
        assert sender == "helpdesk@lpse.contoh.go.id" and rcpts == ["helpdesk@lkpp.go.id"]
        assert msg["Subject"] == "[Eskalasi] LPSE Kabupaten Contoh - tiket A-001 - Sabtu, 28 November 2026"
        text = msg.get_content()
        for part in (
            "Ma'ruf Amin",
            "CV Maju Bersama",
            "081234567890",
            "Dokumen penawaran gagal terenkripsi",
            "Kunci publik paket rusak; perlu dicek LKPP",
            "Pemberi penjelasan: budi",
            "Pengaduan",  # the category by its name, as the form copy says it
        ):
            assert part in text
        esc = client.get("/api/escalations", headers=h).get_json()["escalations"]
        assert esc[0]["mail"]["status"] == "sent" and esc[0]["label"] == "A-001"
    finally:
        controller.stop()


def test_smtp_down_keeps_the_case_retries_and_shows_the_failure(mail_app, smtp_port, clock):
    client, h, _ = escalate(mail_app)
    worker = MailWorker(mail_app.extensions["antrian"])
    worker.run_once()
    esc = client.get("/api/escalations", headers=h).get_json()["escalations"]
    assert esc[0]["mail"]["status"] == "retrying" and "Connection" in esc[0]["mail"]["error"]
    # in words, with what to do, beside the raw message (no "ConnectionRefusedError: [Errno 111]" alone)
    advice = esc[0]["mail"]["advice"]
    assert advice["kind"] == "unreachable"
    assert advice["id"] == (
        f"E-mail eskalasi {esc[0]['label']}: server e-mail tidak dapat dihubungi — periksa jaringan/internet"
        " dan [escalation] host serta port; dicoba lagi otomatis"
    )
    # the officer's one line of it, for his counter page: no fix (the front office's and the admin's)
    assert advice["officer"] == {
        "id": f"E-mail eskalasi {esc[0]['label']} belum terkirim: server e-mail tidak dapat dihubungi; dicoba lagi"
        " otomatis.",
        "en": f"Escalation e-mail {esc[0]['label']} not sent yet: the mail server cannot be reached; it is retried"
        " automatically.",
    }
    with mail_app.extensions["antrian"].store.read() as tx:
        (failed,) = tx.rows("SELECT data FROM events WHERE type = 'mail_failed'")
    assert json.loads(failed["data"])["advice"] == advice
    assert worker.run_once() == 0  # waits for its backoff
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        clock.advance(seconds=5)
        assert worker.run_once() == 1
        assert len(inbox.messages) == 1
        esc = client.get("/api/escalations", headers=h).get_json()["escalations"]
        assert esc[0]["mail"]["status"] == "sent"
    finally:
        controller.stop()


@pytest.mark.parametrize(
    ("error", "kind", "refused"),  # refused: for good (a 5xx reply, RFC 5321 4.2.1), never tried again
    [
        ("SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted')", "auth", True),
        ("SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number", "tls", False),
        ("SMTPRecipientsRefused: {'lkpp@x': (550, b'5.1.1 user unknown')}", "refused", True),
        ("SMTPDataError: (554, b'5.7.1 Message rejected as spam')", "content", True),
        ("SMTPSenderRefused: (552, b'5.3.4 Message size exceeds fixed limit', 'lpse@x')", "too_big", True),
        ("ConnectionRefusedError: [Errno 111] Connection refused", "unreachable", False),
        ("gaierror: [Errno -3] Temporary failure in name resolution", "unreachable", False),
        ("TimeoutError: timed out", "no_answer", False),
        # a 4xx after the greeting: put off for now (greylisting at RCPT), retried; not "check to and from"
        ("SMTPDataError: (451, b'try later')", "later", False),
        (
            "SMTPRecipientsRefused: {'lkpp@x': (450, b'4.7.1 <lkpp@x>: Recipient address rejected: Greylisted')}",
            "later",
            False,
        ),
        ("SMTPSenderRefused: (451, b'4.3.0 Mailbox temporarily unavailable', 'lpse@x')", "later", False),
        # a 4xx greeting: the server busy or refusing for now, retried (helper-226)
        ("SMTPConnectError: (421, b'4.3.2 Service not available, closing transmission channel')", "busy", False),
        ("SMTPConnectError: (450, b'4.7.1 Client host rejected: try again later, relay access')", "busy", False),
        # the greeting refused: the server refuses this client, whatever words it has (helper-222)
        ("SMTPConnectError: (554, b'5.7.1 Relay access denied: sender IP blocklisted')", "blocked", True),
    ],
)
def test_each_kind_of_mail_failure_is_said_with_what_to_do(error, kind, refused):
    from server.advice import mail_advice, permanent_refusal

    advice = mail_advice("B-007", error, final=True)
    assert advice["kind"] == kind
    assert permanent_refusal(error) is refused
    if refused:  # 535, 550: refused for good, sent again once the admin mended config.toml
        assert advice["id"].startswith("E-mail eskalasi B-007 ditolak: ") and "secara manual" in advice["id"]
        assert advice["en"].startswith("Escalation e-mail B-007 refused: ") and "by hand" in advice["en"]
        return
    assert advice["id"].startswith("E-mail eskalasi B-007 tidak terkirim: ") and "secara manual" in advice["id"]
    assert advice["en"].startswith("Escalation e-mail B-007 not sent: ") and "by hand" in advice["en"]


def test_lkpp_ticket_then_answer_closes_the_case(mail_app):
    client, h, _ = escalate(mail_app)
    r = client.post("/api/tickets/A-001/lkpp-ticket", headers=h, json={"lkpp_ticket": "TTS-2026-0042"})
    assert r.get_json()["ticket"]["lkpp_ticket"] == "TTS-2026-0042"
    assert client.post("/api/tickets/A-001/lkpp-ticket", headers=h, json={"lkpp_ticket": " "}).status_code == 422
    r = client.post("/api/tickets/A-001/close", headers=h, json={"answer": "Kunci paket dibuat ulang"})
    assert r.get_json()["ticket"]["status"] == "closed"
    assert client.get("/api/escalations", headers=h).get_json()["escalations"] == []


def body_of(inbox) -> str:
    return inbox.messages[0][2].get_content().replace("\r\n", "\n")


def set_name(app, username, **fields):
    with app.extensions["antrian"].store.write() as tx:
        tx.update_user(username, **fields)


def test_the_mail_and_the_copy_are_signed_with_the_full_name_and_nip_as_when_escalated(mail_app, smtp_port):
    """What leaves the office carries the name the A4 form is signed with, not the login name: the mail
    queued at the escalation says the name the account had then, also when it is sent after a change."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        client, h, _ = escalate(mail_app, full_name="Budi Santoso, S.Kom.", nip="199001052015032001")
        set_name(mail_app, "budi", full_name="Budi Santoso, S.Kom., M.T.", nip=None)  # changed before it is sent
        assert MailWorker(mail_app.extensions["antrian"]).run_once() == 1
        text = body_of(inbox)
        assert "Pemberi penjelasan: Budi Santoso, S.Kom. (NIP. 19900105 201503 2 001)\n" in text
        assert "Pemberi penjelasan: budi" not in text
        # the text the escalations page copies for the LKPP's TTS says the same as the mail
        esc = client.get("/api/escalations", headers=h).get_json()["escalations"][0]
        assert esc["copy_text"].endswith(text)
        assert "Pemberi penjelasan: Budi Santoso, S.Kom. (NIP. 19900105 201503 2 001)" in esc["copy_text"]
        # who escalated, on the escalations page: as the form was signed then (m027), as the mail and its copy
        assert esc["officer"] == "budi" and esc["officer_name"] == "Budi Santoso, S.Kom."
    finally:
        controller.stop()


def test_an_account_without_a_full_name_signs_with_its_login_name(mail_app, smtp_port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        client, h, _ = escalate(mail_app)
        assert MailWorker(mail_app.extensions["antrian"]).run_once() == 1
        assert "Pemberi penjelasan: budi\n" in body_of(inbox)
        esc = client.get("/api/escalations", headers=h).get_json()["escalations"][0]
        assert esc["officer_name"] == "budi" and "Pemberi penjelasan: budi\n" in esc["copy_text"]
    finally:
        controller.stop()


def test_a_mail_queued_before_m026_is_signed_with_the_accounts_name_now(mail_app, smtp_port):
    """A mail queued by an older version kept no signer: it is signed with the account's full name when sent."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        escalate(mail_app)
        with mail_app.extensions["antrian"].store.write() as tx:
            tx.db.execute("UPDATE mails SET signer = NULL")
        set_name(mail_app, "budi", full_name="Budi Santoso, S.Kom.")
        assert MailWorker(mail_app.extensions["antrian"]).run_once() == 1
        assert "Pemberi penjelasan: Budi Santoso, S.Kom.\n" in body_of(inbox)
    finally:
        controller.stop()


class RefusingQuit(Inbox):
    """A real SMTP server's handler that keeps the message (250 to its end) and then answers QUIT with `quit`."""

    def __init__(self, quit: str):
        super().__init__()
        self.quit = quit

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        return self.quit


@pytest.mark.parametrize("reply", ["554 5.7.0 Too many errors", "421 4.3.2 Service shutting down"])
def test_a_mail_the_server_took_is_sent_whatever_it_answers_to_quit(mail_app, smtp_port, clock, reply):
    """The server answered 250 to the message: LKPP has the case. A QUIT it then refuses (554: failed for good,
    sent again at the next start; 421: retried) sent LKPP the same case twice (helper-217)."""
    inbox = RefusingQuit(reply)
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        client, h, _ = escalate(mail_app)
        worker = MailWorker(mail_app.extensions["antrian"])
        assert worker.run_once() == 1
        assert len(inbox.messages) == 1
        mail = escalations_of(client, h)[0]["mail"]
        assert (mail["status"], mail["attempts"], mail["error"]) == ("sent", 1, None), mail
        clock.advance(minutes=15)  # past every wait of the retries
        assert worker.run_once() == 0
        assert mail_app.extensions["antrian"].requeue_refused_mails(mail_app.secret_key) == 0  # nothing again
        assert worker.run_once() == 0
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


# -- refusals for good, a refused login, a server that does not answer (helper-209) ------------------------------
class Refusing(Inbox):
    """A real SMTP server's handler that refuses as a mail server does: `rcpt` (e.g. "550 5.1.1 …") for a
    recipient other than `accept`, `data` (e.g. "554 5.7.1 …") for the message; else it keeps the message."""

    def __init__(self, rcpt: str | None = None, data: str | None = None, accept: str = ""):
        super().__init__()
        self.rcpt, self.data, self.accept = rcpt, data, accept

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if self.rcpt and address != self.accept:
            return self.rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        return self.data or await super().handle_DATA(server, session, envelope)


def escalations_of(client, h) -> list[dict]:
    return client.get("/api/escalations", headers=h).get_json()["escalations"]


@pytest.mark.parametrize(
    ("rcpt", "data", "final"),
    [
        ("550 5.1.1 <helpdesk@lkpp.go.id>: Recipient address rejected: User unknown", None, True),
        (None, "554 5.7.1 Message rejected: sender not allowed", True),  # its content: test_a_refused_content_…
        (None, "451 4.3.0 Temporary local problem, try again later", False),
    ],
)
def test_a_refusal_for_good_is_not_retried_and_says_which_keys_to_mend(mail_app, smtp_port, clock, rcpt, data, final):
    """A 5xx refusal was tried 8 times like a server that is down, 4 s to 10 minutes apart, each refused again;
    it now fails at its first try with an alert that names config.toml's keys to mend. A 4xx is still retried."""
    controller = Controller(Refusing(rcpt, data), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        client, h, _ = escalate(mail_app)
        worker = MailWorker(mail_app.extensions["antrian"])
        assert worker.run_once() == 1
        (case,) = escalations_of(client, h)
        mail = case["mail"]
        assert (mail["status"], mail["attempts"]) == (("failed", 1) if final else ("retrying", 1)), mail
        assert (rcpt or data)[:3] in mail["error"]
        clock.advance(minutes=15)  # past every wait of the retries
        assert worker.run_once() == (0 if final else 1)
        assert escalations_of(client, h)[0]["mail"]["attempts"] == (1 if final else 2)
        if not final or data:
            return
        advice = mail["advice"]
        assert advice["kind"] == "refused"
        assert advice["id"].startswith("E-mail eskalasi A-001 ditolak: server e-mail menolak pengirim atau penerima")
        assert 'periksa di config.toml [escalation] to = "helpdesk@lkpp.go.id"' in advice["id"]
        assert 'from = "helpdesk@lpse.contoh.go.id"' in advice["id"]
        assert "tidak dicoba lagi" in advice["id"] and "memulai ulang server" in advice["id"]
        assert 'check in config.toml [escalation] to = "helpdesk@lkpp.go.id"' in advice["en"]
        assert "not retried" in advice["en"] and "restarted the server" in advice["en"]
        with mail_app.extensions["antrian"].store.read() as tx:
            (failed,) = tx.rows("SELECT data FROM events WHERE type = 'mail_failed'")
        assert json.loads(failed["data"])["advice"] == advice  # the front office's alert says the same
    finally:
        controller.stop()


class RefusingSender(Refusing):
    """Refusing that also refuses the sender (MAIL FROM) with `mail` (e.g. "553 5.1.8 …")."""

    def __init__(self, mail: str):
        super().__init__()
        self.mail = mail

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802 - aiosmtpd's hook
        return self.mail


@pytest.mark.parametrize(
    ("stage", "reply", "kind"),
    [
        ("data", "554 5.7.1 Message rejected as spam", "content"),
        ("data", "550 5.7.1 Message refused by the provider's policy", "content"),
        ("data", "552 5.3.4 Message size exceeds fixed limit", "too_big"),
        # the recipient's mailbox (RFC 3463 X.2.x: full, disabled), told at the message's end: not its size or words
        ("data", "552 5.2.2 Mailbox full: quota exceeded", "refused"),
        ("data", "550 5.2.1 Mailbox disabled, not accepting messages", "refused"),
        ("size", "", "too_big"),  # aiosmtpd's own 552 at MAIL FROM, for the SIZE the message declares
        ("mail", "553 5.1.8 <helpdesk@lpse.contoh.go.id>: Sender address rejected: Domain not found", "refused"),
        ("rcpt", "550 5.1.1 <helpdesk@lkpp.go.id>: Recipient address rejected: User unknown", "refused"),
    ],
)
def test_a_refused_content_is_not_said_as_a_refused_address(mail_app, smtp_port, stage, reply, kind):
    """A 554 5.7.1 refusing the message as spam was said as "the mail server refused the sender or the recipient —
    check [escalation] to and from", which are right (helper-216); a 552 for its size as "sending failed". Told
    apart by the reply code, its enhanced status code and the stage it came at (smtplib's exception, which
    server/mail.py records): the message's words or size and the office's mail provider, or the addresses."""
    handler = {"data": lambda: Refusing(data=reply), "size": Inbox, "mail": lambda: RefusingSender(reply)}.get(
        stage, lambda: Refusing(rcpt=reply)
    )()
    size = {"data_size_limit": 200} if stage == "size" else {}
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port, **size)
    controller.start()
    try:
        client, h, _ = escalate(mail_app)
        assert MailWorker(mail_app.extensions["antrian"]).run_once() == 1
        mail = escalations_of(client, h)[0]["mail"]
        assert (mail["status"], mail["attempts"]) == ("failed", 1), mail
        error = mail["error"]
        assert f"({(reply or '552')[:3]}, b" in error, error
        advice = mail["advice"]
        assert advice["kind"] == kind, (error, advice)
        said, en = advice["id"], advice["en"]
        assert said.startswith("E-mail eskalasi A-001 ditolak: ") and "secara manual" in said
        if kind == "refused":
            assert said.startswith("E-mail eskalasi A-001 ditolak: server e-mail menolak pengirim atau penerima —")
            assert 'periksa di config.toml [escalation] to = "helpdesk@lkpp.go.id"' in said
            assert "Setelah admin memperbaiki config.toml" in said
            return
        assert "pengirim atau penerima —" not in said and "periksa di config.toml [escalation] to =" not in said
        assert "[escalation] to dan from tidak perlu diubah" in said and "penyedia e-mail kantor" in said
        assert "[escalation] to and from need no change" in en and "the office's mail provider" in en
        assert "memperbaiki config.toml" not in said and "mended config.toml" not in en
        if kind == "content":
            assert "server e-mail menolak isi e-mail (dianggap spam" in said
            assert "kata-kata dan tautan dalam permasalahan dan analisis" in said
            assert "the mail server refused the e-mail's content (taken for spam" in en
        else:
            assert "server e-mail menolak e-mail karena terlalu besar" in said and "batas ukuran" in said
            assert "the mail server refused the e-mail as too large" in en and "size limit" in en
    finally:
        controller.stop()


def refuse_login(server, session, envelope, mechanism, auth_data):
    """aiosmtpd's authenticator: every login refused (535 5.7.8 Authentication credentials invalid)."""
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=False, handled=False)


def test_a_refused_login_is_not_retried_and_says_which_keys_and_variable_to_check(
    tmp_path, clock, smtp_port, monkeypatch
):
    """535: the advice said "check [escalation] username and its password (ANTRIAN_SMTP_PASSWORD)", which an
    admin could not act on (where is the password? why does a change not take?). It names the keys, their
    values, the variable the password is read from and whether the server has it, and the restart."""
    monkeypatch.setenv("ANTRIAN_SMTP_PASSWORD", "sandi-lama")
    cfg = write_config(
        tmp_path,
        {
            'enabled = false\nhost = "127.0.0.1"\nport = 25': f'enabled = true\nhost = "127.0.0.1"\nport = {smtp_port}',
            'username = ""': 'username = "lpse@contoh.go.id"',
        },
    )
    app = create_app(cfg, workers=False, clock=clock)
    controller = Controller(
        Inbox(),
        hostname="127.0.0.1",
        port=smtp_port,
        auth_require_tls=False,
        authenticator=refuse_login,
    )
    controller.start()
    try:
        client, h, _ = escalate(app)
        worker = MailWorker(app.extensions["antrian"])
        assert worker.run_once() == 1
        mail = escalations_of(client, h)[0]["mail"]
        assert (mail["status"], mail["attempts"]) == ("failed", 1) and "(535" in mail["error"]
        clock.advance(minutes=15)
        assert worker.run_once() == 0
        advice = mail["advice"]
        assert advice["kind"] == "auth"
        assert advice["id"] == (
            "E-mail eskalasi A-001 ditolak: server e-mail menolak login akun SMTP (nama pengguna atau kata sandi"
            ' salah, atau server meminta login) — periksa di config.toml [escalation] username = "lpse@contoh.go.id"'
            " (akun SMTP, biasanya alamat e-mail lengkap; kosong: tanpa login) dan kata sandinya di variabel"
            " lingkungan ANTRIAN_SMTP_PASSWORD (terisi; bukan di config.toml, melainkan di /etc/antrian.env untuk"
            " layanan), lalu mulai ulang server; tidak dicoba lagi (percobaan berikutnya akan ditolak juga)."
            " Setelah admin memperbaiki config.toml dan memulai ulang server, e-mail ini dikirim lagi sekali saat"
            " server mulai; bila yang diperbaiki ada di sisi server e-mail (mis. kotak surat LKPP dibuat), tekan"
            " Kirim ulang di halaman Eskalasi tanpa memulai ulang server; bila mendesak, teruskan kasus ini ke LKPP"
            " secara manual (salin teksnya di halaman Eskalasi)"
        )
        assert advice["en"].startswith(
            "Escalation e-mail A-001 refused: the mail server refused the SMTP account's login (wrong user name or"
            " password, or the server requires a login) — check in config.toml [escalation] username ="
            ' "lpse@contoh.go.id" (the SMTP account, usually a full e-mail address; empty: no login) and its'
            " password in the environment variable ANTRIAN_SMTP_PASSWORD (set; not in config.toml but in"
            " /etc/antrian.env for the service), then restart the server; not retried"
        )
        monkeypatch.delenv("ANTRIAN_SMTP_PASSWORD")  # a service started without its environment file
        advice = escalations_of(client, h)[0]["mail"]["advice"]
        assert "ANTRIAN_SMTP_PASSWORD (tidak diisi di lingkungan server;" in advice["id"]
        assert "ANTRIAN_SMTP_PASSWORD (not set in the server's environment;" in advice["en"]
    finally:
        controller.stop()
        app.extensions["antrian"].stop()
        app.extensions["antrian"].store.close()


class Silent(Inbox):
    """A real SMTP server that greets, then never answers EHLO (a server stuck, or a port that is not its)."""

    def __init__(self):
        super().__init__()
        self.released = None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd's hook
        import asyncio

        self.released = asyncio.Event()
        await self.released.wait()
        return responses


def test_a_mail_server_that_does_not_answer_is_retried_and_names_host_port_and_security(mail_app, smtp_port):
    """A timeout said "the mail server does not answer — check the network/internet", whatever was wrong. It
    names the server it waited for and config.toml's keys: host, port, and the security that port takes."""
    from server.advice import mail_advice, permanent_refusal
    from server.mail import MailError, send

    handler = Silent()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        settings = mail_app.extensions["antrian"].settings
        msg = EmailMessage()
        msg["Subject"], msg["From"], msg["To"] = "x", settings.escalation.sender, settings.escalation.to
        msg.set_content("x")
        with pytest.raises(MailError) as raised:
            send(settings.escalation, msg, timeout=0.5)
    finally:
        if handler.released is not None:
            controller.loop.call_soon_threadsafe(handler.released.set)
        controller.stop()
    error = str(raised.value)
    assert "timed out" in error and not permanent_refusal(error)  # tried again: a network may come back
    advice = mail_advice("A-001", error, final=False, esc=settings.escalation)
    assert advice["kind"] == "no_answer"
    assert advice["id"] == (
        f"E-mail eskalasi A-001: server e-mail 127.0.0.1:{smtp_port} tidak menjawab (waktu tunggu habis) — periksa"
        ' di config.toml [escalation] host dan port, serta security yang cocok dengan port itu (kini "none"; port'
        ' 465 memakai "ssl", 587 "starttls"), lalu jaringan/firewall ke server itu; mulai ulang server bila'
        " config.toml diubah; dicoba lagi otomatis"
    )
    assert advice["en"] == (
        f"Escalation e-mail A-001: the mail server 127.0.0.1:{smtp_port} did not answer (timed out) — check in"
        ' config.toml [escalation] host and port, and the security that port needs (now "none"; port 465 takes'
        ' "ssl", 587 "starttls"), then the network/firewall to that server; restart the server if config.toml'
        " was changed; it is retried automatically"
    )


def test_a_refused_mail_is_kept_and_sent_at_the_next_start_once_config_toml_is_mended(tmp_path):
    """A real server: LKPP's address mistyped in config.toml, the mail is refused (550) once and waits, failed,
    with its case. The admin mends `to` and restarts the server: the start queues it again and it goes. A case
    forwarded by hand meanwhile (its LKPP number recorded) is not sent twice."""
    smtp = SmtpServer(free_port())
    smtp.inbox = Refusing("550 5.1.1 User unknown", accept="helpdesk@lkpp.go.id")
    smtp.start()
    block = 'enabled = false\nhost = "127.0.0.1"\nport = 25'
    mistyped = {
        block: f'enabled = true\nhost = "127.0.0.1"\nport = {smtp.port}',
        'to = "helpdesk@lkpp.go.id"': 'to = "helpdesk@lkpp.go.idd"',
    }
    server = LiveServer(write_config(tmp_path, mistyped)).start()
    try:
        server.add_user("budi", "officer")
        officer = server.session("budi", "rahasia-123")
        labels = [escalate_live(server, officer, name) for name in ("Rudi Hartono", "Siti Aminah")]
        cases = cases_when(server, officer, lambda cs: all(c["mail"]["status"] == "failed" for c in cs))
        for c in cases:
            assert (c["mail"]["status"], c["mail"]["attempts"]) == ("failed", 1), c["mail"]
            assert 'to = "helpdesk@lkpp.go.idd"' in c["mail"]["advice"]["id"]
        forwarded = next(c for c in cases if c["label"] == labels[1])
        r = officer.post(f"{server.url}/api/tickets/{forwarded['id']}/lkpp-ticket", json={"lkpp_ticket": "TTS-1"})
        assert r.status_code == 200, r.text
        server.stop()
        assert smtp.inbox.messages == []

        mended = {block: mistyped[block]}  # the address as LKPP gives it
        server = LiveServer(write_config(tmp_path, mended), port=server.port).start()
        officer = server.session("budi", "rahasia-123")
        cases = cases_when(server, officer, lambda cs: any(c["mail"]["status"] == "sent" for c in cs))
        state = {c["label"]: (c["mail"]["status"], c["mail"]["attempts"]) for c in cases}
        assert state == {labels[0]: ("sent", 2), labels[1]: ("failed", 1)}
        (message,) = smtp.inbox.messages
        assert message[1] == ["helpdesk@lkpp.go.id"] and f" - tiket {labels[0]} - " in message[2]["Subject"]
        assert "1 escalation mail(s) the mail server refused: queued again" in server.log()
    finally:
        server.stop()
        smtp.stop()


def escalate_live(server, session, name: str) -> str:
    """A visitor served at counter 1 and escalated on a real server: the ticket's label."""
    r = requests.post(f"{server.url}/api/tickets", json=visitor(name=name), timeout=5)
    assert r.status_code == 201, r.text
    for action, body in (("call-next", {}), ("start", {}), ("escalate", {"note": "Perlu dicek LKPP"})):
        r = session.post(f"{server.url}/api/counters/1/{action}", json=body, timeout=5)
        assert r.status_code == 200, r.text
    return r.json()["ticket"]["label"]


def cases_when(server, session, ready, seconds: float = 15.0) -> list[dict]:
    """The open escalations once `ready(cases)`, or as they stand after `seconds`: the caller asserts on them."""
    deadline = time.monotonic() + seconds
    while True:
        cases = session.get(f"{server.url}/api/escalations", timeout=5).json()["escalations"]
        if ready(cases) or time.monotonic() > deadline:
            return cases
        time.sleep(0.05)


def test_kirim_ulang_waits_its_gap_at_most_though_the_clock_was_set_back(mail_app, smtp_port, clock):
    """One Kirim ulang of a mail in RESEND_GAP_SECONDS (30 s): counted from the last one's time. The server's clock
    set back an hour meanwhile (a PC's clock mended by hand) made that an hour and a half ("send it again in
    3630 seconds"): a press after such a step is not held, and the gap counts again from it."""
    inbox = Refusing(rcpt="550 5.1.1 <helpdesk@lkpp.go.id>: Recipient address rejected: User unknown")
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        client, h, _ = escalate(mail_app)
        worker = MailWorker(mail_app.extensions["antrian"])
        assert worker.run_once() == 1  # refused for good
        r = client.post("/api/escalations/A-001/resend", headers=h, json={})
        assert r.status_code == 202, r.get_json()
        assert worker.run_once() == 1  # refused again
        r = client.post("/api/escalations/A-001/resend", headers=h, json={})  # at once: within the gap
        assert (r.status_code, r.get_json()["error"]) == (409, "mail_just_tried")
        assert "setelah 30 detik" in r.get_json()["message"], r.get_json()["message"]
        clock.advance(hours=-1)
        assert client.post("/api/escalations/A-001/resend", headers=h, json={}).status_code == 202
        assert worker.run_once() == 1
        r = client.post("/api/escalations/A-001/resend", headers=h, json={})  # the gap again, from that one
        assert (r.status_code, r.get_json()["error"]) == (409, "mail_just_tried")
    finally:
        controller.stop()
