"""The escalation e-mail as the LKPP helpdesk reads it: its fields in one column (a real SMTP server on
127.0.0.1, aiosmtpd, receives it, as in tests/test_mail.py)."""

from __future__ import annotations

import re

from aiosmtpd.controller import Controller
from conftest import login, visitor
from smtp import Inbox
from test_mail import mail_app, smtp_port  # noqa: F401  (the fixtures: the app with [escalation] on that port)

from server.mail import MailWorker


def fields_of(text: str) -> list[tuple[str, int]]:
    """Each "Name : value" line of the letter's header and identity: (name, the column of its colon)."""
    head = text.split("B. PERMASALAHAN")[0]
    return [(m.group(1), m.end() - 2) for line in head.splitlines() if (m := re.match(r"(\S.*?)\s*: ", line))]


def test_the_escalation_mails_fields_are_in_one_column_priority_class_too(mail_app, smtp_port):  # noqa: F811
    """helper-140: "Kelas prioritas:" stood one place right of the colons above it ("Nomor antrian : …"), the
    identity's four columns further; every field of the letter now has its colon in one column."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        client = mail_app.test_client()
        client.post("/api/tickets", json=visitor(name="Rina Wati", problem="Paket tidak bisa diunggah"))
        h = login(mail_app, client, "budi")
        client.post("/api/counters/1/call-next", headers=h)
        client.post("/api/counters/1/start", headers=h)
        r = client.post(
            "/api/counters/1/escalate",
            headers=h,
            json={"note": "Server SPSE menolak berkas", "category": "pengaduan", "priority_class": "P1"},
        )
        assert r.status_code == 200, r.get_json()
        assert MailWorker(mail_app.extensions["antrian"]).run_once() == 1
        text = inbox.messages[0][2].get_content().replace("\r\n", "\n")
    finally:
        controller.stop()
    fields = fields_of(text)
    assert [name for name, _ in fields] == [
        "Nomor antrian",
        "Tanggal",
        "Jenis",
        "Kelas prioritas",
        "Nama",
        "Instansi/Perusahaan",
        "Alamat",
        "Telepon",
    ]
    assert {column for _, column in fields} == {20}, fields
    assert "\nKelas prioritas     : P1 - Tinggi (target penyelesaian 1 jam)\n" in text
    assert "\nJenis               : Pengaduan\n" in text  # the category's name, as the form copy says it
    # the office's lines under a signature separator a mail client knows: "-- " (RFC 3676), not "--"
    assert "\n-- \nLPSE Kabupaten Contoh\n" in text, text
    # the escalations page copies the same words for the LKPP's TTS
    esc = client.get("/api/escalations", headers=h).get_json()["escalations"][0]
    assert esc["copy_text"].endswith(text)
