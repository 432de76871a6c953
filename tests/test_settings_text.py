"""Settings that reach a mail header, a file name, a printer or a ticket are one line without control
characters: refused naming the key by config.toml, the admin API and the CLI; and a mail that cannot be
built ends as failed with its reason instead of staying queued."""

from __future__ import annotations

import json

import pytest
from conftest import login, visitor, write_config
from live import free_port, server_command
from smtp import SmtpServer

from server.app import create_app
from server.config import ConfigError, load_settings
from server.mail import MailWorker

CRLF = r"\r\nBcc: someone@example.com"  # a TOML escape: the parsed value holds a real CR LF

BAD = [
    ({'name = "LPSE Kabupaten Contoh"': f'name = "LPSE Kabupaten Contoh{CRLF}"'}, "office.name"),
    ({'address = "Jl. Merdeka No. 1, Kota Contoh"': 'address = "Jl. Merdeka\\nNo. 1"'}, "office.address"),
    ({'name = "LPSE Kabupaten Contoh"': 'name = "LPSE\\u0007Contoh"'}, "office.name"),  # BEL
    ({'name = "Konsultasi Penyedia"': 'name = "Konsultasi\\rPenyedia"'}, 'the 1st [[services]] (code = "A"), key name'),
    ({'name = "Loket 1"': 'name = "Loket\\n1"'}, "the 1st [[counters]] (id = 1), key name"),
    ({'footer = "Simpan tiket ini.': 'footer = "Baris\\u001b[2J satu.'}, "kiosk.footer"),  # ESC
    ({'username = ""': f'username = "helpdesk{CRLF}"'}, "escalation.username"),
    ({'host = "127.0.0.1"\nport = 25': 'host = "mail\\r\\n.example"\nport = 25'}, "escalation.host"),
    ({'host = "127.0.0.1"\nport = 25': 'host = "mail server.example"\nport = 25'}, "escalation.host"),
    ({'to = "helpdesk@lkpp.go.id"': f'to = "helpdesk@lkpp.go.id{CRLF}"'}, "escalation.to"),
    ({'to = "helpdesk@lkpp.go.id"': 'to = "Help Desk <helpdesk@lkpp.go.id>"'}, "escalation.to"),
    ({'to = "helpdesk@lkpp.go.id"': 'to = "hélpdesk@lkpp.go.id"'}, "escalation.to"),  # no SMTPUTF8 promised
    ({'from = "helpdesk@lpse.contoh.go.id"': 'from = "a@b\\n.id"'}, "escalation.from"),
    (
        {'template = "Nomor antrian, {letter}, {number}. Silakan menuju, {counter}."': 'template = "Nomor\\n{number}"'},
        "tts.template",
    ),
    ({"[printers.kiosk]": '[printers."lantai\\n2"]\ntype = "dummy"\n[printers.kiosk]'}, "printers."),
]


@pytest.mark.parametrize("replace,key", BAD, ids=[f"{k}-{i}" for i, (_, k) in enumerate(BAD)])
def test_config_file_refuses_line_breaks_and_control_characters(tmp_path, replace, key):
    path = write_config(tmp_path, replace)
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value).startswith(key), str(err.value)


@pytest.mark.parametrize("field", ["path", "host", "device", "cups_printer"])
def test_printer_names_and_paths_refuse_line_breaks(tmp_path, field):
    kinds = {"path": "file", "host": "network", "device": "serial", "cups_printer": "cups"}
    extra = f'\n[printers.lantai2]\ntype = "{kinds[field]}"\n{field} = "/tmp/x\\ny"\n'
    with pytest.raises(ConfigError) as err:
        load_settings(write_config(tmp_path, extra=extra))
    assert str(err.value).startswith(f"printers.lantai2.{field}:"), str(err.value)


def test_ordinary_text_still_loads(tmp_path):
    s = load_settings(
        write_config(
            tmp_path,
            {
                'name = "LPSE Kabupaten Contoh"': 'name = "LPSE Kab. Contoh — Bagian Pengadaan (ULP)"',
                'address = "Jl. Merdeka No. 1, Kota Contoh"': 'address = "Jl. Ma\'ruf Amin No. 1, Kota Contoh"',
            },
        )
    )
    assert s.office.name == "LPSE Kab. Contoh — Bagian Pengadaan (ULP)"
    assert s.escalation.to == "helpdesk@lkpp.go.id"


def test_admin_api_refuses_a_line_break_in_the_office_name(app, client):
    h = login(app, client, "boss", "admin")
    r = client.put("/api/admin/settings/office", json={"value": {"name": "LPSE\r\nBcc: x@example.com"}}, headers=h)
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    assert body["error"] == "config_invalid" and "office.name" in body["fields"], body
    r = client.put("/api/admin/settings/kiosk", json={"value": {"footer": "a\x00b"}}, headers=h)
    assert r.status_code == 422 and "kiosk.footer" in r.get_json()["fields"]
    assert client.get("/api/state").get_json()["office"]["name"] == "LPSE Kabupaten Contoh"


def test_cli_settings_set_refuses_a_line_break(tmp_path):
    path = write_config(tmp_path)
    r = server_command(
        ["settings", "set", "office", json.dumps({"name": "LPSE\r\nX: y"})] + ["--config", str(path)], timeout=60
    )
    assert r.returncode == 2, r.stderr
    assert "office.name" in r.stderr and "Traceback" not in r.stderr


def test_a_mail_that_cannot_be_built_fails_with_its_reason_and_the_others_are_sent(tmp_path, clock):
    port = free_port()
    cfg = write_config(
        tmp_path,
        {'enabled = false\nhost = "127.0.0.1"\nport = 25': f'enabled = true\nhost = "127.0.0.1"\nport = {port}'},
    )
    app = create_app(cfg, workers=False, clock=clock)
    smtp = SmtpServer(port)
    smtp.start()
    try:
        client = app.test_client()
        h = login(app, client, "budi")
        for name in ("Siti", "Agus"):
            client.post("/api/tickets", json=visitor(name=name))
            client.post("/api/counters/1/call-next", headers=h)
            client.post("/api/counters/1/start", headers=h)
            r = client.post("/api/counters/1/escalate", headers=h, json={"note": "perlu LKPP"})
            assert r.status_code == 200 and r.get_json()["escalation"]["mail"]["status"] == "queued"
        service = app.extensions["antrian"]
        with service.store.write() as tx:  # a row that bypassed every check: its label breaks the Subject
            tx.db.execute("UPDATE tickets SET label = 'A-001' || char(13, 10) || 'Bcc: x@example.com' WHERE number = 1")
        assert MailWorker(service).run_once() == 2
        messages = smtp.wait_for_mail(1, timeout=15)
        assert len(messages) == 1 and "A-002" in messages[0][2]["Subject"]
        with service.store.read() as tx:
            mails = tx.rows("SELECT ticket_id, status, attempts, error FROM mails ORDER BY id")
            events = tx.rows("SELECT type, data FROM events WHERE type IN ('mail_sent', 'mail_failed') ORDER BY seq")
        assert mails[0]["status"] == "failed" and mails[0]["attempts"] == 1
        assert "cannot be built" in mails[0]["error"] and "linefeed" in mails[0]["error"], mails[0]
        assert mails[1]["status"] == "sent"
        assert [e["type"] for e in events] == ["mail_failed", "mail_sent"]
        assert json.loads(events[0]["data"])["status"] == "failed"
        assert MailWorker(service).run_once() == 0  # failed for good: not tried again
        escalations = client.get("/api/escalations", headers=h).get_json()["escalations"]
        assert escalations[0]["mail"]["status"] == "failed" and escalations[0]["mail"]["error"]
    finally:
        smtp.stop()
        app.extensions["antrian"].stop()
        app.extensions["antrian"].store.close()
