"""Escalation e-mail to the LKPP helpdesk through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import json
import socket

import pytest
from aiosmtpd.controller import Controller
from conftest import login, visitor, write_config
from smtp import Inbox

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
    ("error", "kind"),
    [
        ("SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted')", "auth"),
        ("SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number", "tls"),
        ("SMTPRecipientsRefused: {'lkpp@x': (550, b'5.1.1 user unknown')}", "refused"),
        ("ConnectionRefusedError: [Errno 111] Connection refused", "unreachable"),
        ("gaierror: [Errno -3] Temporary failure in name resolution", "unreachable"),
        ("TimeoutError: timed out", "no_answer"),
        ("SMTPDataError: (451, b'try later')", "other"),
    ],
)
def test_each_kind_of_mail_failure_is_said_with_what_to_do(error, kind):
    from server.advice import mail_advice

    advice = mail_advice("B-007", error, final=True)
    assert advice["kind"] == kind
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
