"""An escalation mail the mail server refused for good (5xx) is sent again once at the next start, not at every
start (helper-222), and a server that refuses this client in its greeting (554 at connect) is said as such. Real
SMTP servers on 127.0.0.1 (aiosmtpd, tests/smtp.py) and real server processes, restarted."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from conftest import write_config
from live import LiveServer
from smtp import GreetingRefused, Inbox, SmtpServer
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
        " ditolak juga). Setelah relay menerima alamat kantor (atau admin mengganti host/port di config.toml),"
        " mulai ulang server: e-mail ini dikirim lagi sekali saat server mulai; bila mendesak, teruskan kasus ini"
        " ke LKPP secara manual (salin teksnya di halaman Eskalasi)"
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
