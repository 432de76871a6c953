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


def escalate(app):
    client = app.test_client()
    client.post("/api/tickets", json=visitor(name="Ma'ruf Amin", problem="Dokumen penawaran gagal terenkripsi"))
    h = login(app, client, "budi")
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
            "pengaduan",
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
