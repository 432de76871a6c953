"""SOP step 12: the visitor's copy of the completed form, on paper (TCP printer) and as an A4 page."""

from __future__ import annotations

from conftest import login, visitor, write_config
from fakeprinter import FakeNetworkPrinter

from server.app import create_app
from server.printing import PrintWorker


def served(app, client, **form):
    r = client.post("/api/tickets", json=visitor(**form))
    token = r.get_json()["ticket"]["token"]
    h = login(app, client, "budi")
    for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Reset kata sandi <b>ok</b>"})):
        assert client.post(f"/api/counters/1/{action}", json=data, headers=h).status_code == 200
    return token, h


def test_a4_form_is_laid_out_like_the_paper_and_escapes_input(app, client):
    token, _ = served(app, client, name="<script>alert(1)</script> Dédé")
    page = client.get(f"/counter/form/{token}").get_data(as_text=True)
    for part in (
        "FORM KONSULTASI PENGGUNA SPSE",
        "Hari/Tanggal Konsultasi",
        "Sabtu, 28 November 2026",
        "IDENTITAS PENGGUNA SPSE",
        "CV Maju Bersama",
        "PERMASALAHAN",
        "JAWABAN/SOLUSI PERMASALAHAN",
        "Pemberi Penjelasan",
        "( budi )",
        "&lt;script&gt;alert(1)&lt;/script&gt; Dédé",
        "Reset kata sandi &lt;b&gt;ok&lt;/b&gt;",
    ):
        assert part in page, part
    assert "<script>alert" not in page


def test_the_survey_qr_code_is_on_a_served_visitors_copy_only(app, client):
    """A copy printed before the service (the survey not open yet) has no survey code: scanned, it would
    only say the survey is not open; a served visitor's copy of the same day has it."""
    first = client.post("/api/tickets", json=visitor()).get_json()["ticket"]["token"]
    second, _ = served(app, client)  # issues a second ticket; call-next serves the first (budi logged in)
    assert 'class="survey-qr"' in client.get(f"/counter/form/{first}").get_data(as_text=True)
    assert 'class="survey-qr"' not in client.get(f"/counter/form/{second}").get_data(as_text=True)  # waiting


def test_a4_form_needs_a_login_and_a_real_token(app, client):
    token, _ = served(app, client)
    other = app.test_client()
    assert other.get(f"/counter/form/{token}").status_code == 302
    assert client.get("/counter/form/nope").status_code == 404


def test_form_copy_printed_on_the_counter_printer_over_tcp(tmp_path, clock):
    printer = FakeNetworkPrinter()
    try:
        cfg = write_config(
            tmp_path,
            {'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "loket1"'},
            extra=f'\n[printers.loket1]\ntype = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
            'timeout = 1\nprofile = "TM-T20II"\n',
        )
        app = create_app(cfg, workers=False, clock=clock)
        client = app.test_client()
        token, h = served(app, client, name="Ma'ruf Amin")
        r = client.post(f"/api/tickets/{token}/print-form", json={"counter_id": 1}, headers=h)
        assert r.status_code == 202
        svc = app.extensions["antrian"]
        PrintWorker(svc, "loket1", svc.settings.printers["loket1"]).run_once()
        data = printer.wait_for_close()
        for part in (b"FORMULIR KONSULTASI", b"Ma'ruf Amin", b"Reset kata sandi", b"budi", b"\x1dV\x00"):
            assert part in data, part
        survey = f"{svc.settings.office.public_url}/t/{token}?survey=1".encode()
        assert b"Isi survei kepuasan" in data and survey in data  # its QR code, while the day lasts
        with svc.store.read() as tx:  # SOP step 12 done at this moment: the figures' copy time ends here
            first = tx.ticket_by_token(token).copy_printed_at
        assert first == clock()
        # a ticket not yet done has no copy to print
        client.post("/api/tickets", json=visitor())
        assert client.post("/api/tickets/A-002/print-form", json={"counter_id": 1}, headers=h).status_code == 409
        # printed again the next day, when the survey is closed: no QR code for it
        clock.advance(days=1)
        printer.closed_by_client.clear()
        before = len(printer.received)
        assert client.post(f"/api/tickets/{token}/print-form", json={"counter_id": 1}, headers=h).status_code == 202
        PrintWorker(svc, "loket1", svc.settings.printers["loket1"]).run_once()
        later = printer.wait_for_close()[before:]
        assert b"FORMULIR KONSULTASI" in later and b"survei" not in later
        with svc.store.read() as tx:  # a copy printed again: the first one stays the measure
            assert tx.ticket_by_token(token).copy_printed_at == first
        svc.stop()
        svc.store.close()
    finally:
        printer.stop()


def test_a_form_copy_pressed_again_while_its_printer_is_off_is_one_copy_and_its_alert_says_form_copy(tmp_path, clock):
    """P pressed twice while the counter's printer is off: one copy, tried again at once (`again`), so the
    visitor does not get two when it is back; the alert speaks of the form copy, not of Cetak ulang."""
    import json
    import socket

    with socket.socket() as s:  # a port nothing listens on: the printer is off
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = write_config(
        tmp_path,
        {'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "loket1"'},
        extra=f'\n[printers.loket1]\ntype = "network"\nhost = "127.0.0.1"\nport = {port}\ntimeout = 1\n',
    )
    app = create_app(cfg, workers=False, clock=clock)
    client = app.test_client()
    token, h = served(app, client)
    svc = app.extensions["antrian"]
    first = client.post(f"/api/tickets/{token}/print-form", json={"counter_id": 1}, headers=h).get_json()
    assert "again" not in first
    PrintWorker(svc, "loket1", svc.settings.printers["loket1"]).run_once()  # connection refused: retried later
    again = client.post(f"/api/tickets/{token}/print-form", json={"counter_id": 1}, headers=h).get_json()
    assert again == {"print_job": first["print_job"], "again": True}
    with svc.store.read() as tx:
        jobs = tx.rows("SELECT id, status, next_attempt_at FROM print_jobs WHERE kind = 'form'")
        (alert,) = [json.loads(e["data"]) for e in tx.rows("SELECT data FROM events WHERE type = 'print_failed'")]
    assert [(j["id"], j["status"]) for j in jobs] == [(first["print_job"], "retrying")]
    assert jobs[0]["next_attempt_at"] <= clock().isoformat()  # tried again at once
    assert alert["kind"] == "form" and alert["advice"]["id"].endswith("; salinan formulir dicetak lagi otomatis")
    svc.stop()
    svc.store.close()


def test_the_printed_copy_is_signed_and_worded_as_the_a4_copy_and_has_lkpps_answer(tmp_path, clock):
    """The counter printer's copy of a case LKPP answered: signed with the officer's full name and NIP (not
    the login name), the kind of problem by its name, and LKPP's answer, as the A4 copy has them all."""
    printer = FakeNetworkPrinter()
    try:
        cfg = write_config(
            tmp_path,
            {'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "loket1"'},
            extra=f'\n[printers.loket1]\ntype = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
            'timeout = 1\nprofile = "TM-T20II"\n',
        )
        app = create_app(cfg, workers=False, clock=clock)
        client = app.test_client()
        token = client.post("/api/tickets", json=visitor(category="pertanyaan")).get_json()["ticket"]["token"]
        h = login(app, client, "budi")
        svc = app.extensions["antrian"]
        with svc.store.write() as tx:
            tx.update_user("budi", full_name="Budi Santoso, S.T.", nip="198501012010011001")
        for action, data in (("call-next", {}), ("start", {}), ("escalate", {"note": "Kunci paket hilang."})):
            assert client.post(f"/api/counters/1/{action}", json=data, headers=h).status_code == 200
        r = client.post(
            f"/api/tickets/{token}/close",  # the words the copy puts before it typed too: said once
            json={"answer": "Jawaban LKPP: Kunci dibuat ulang.", "lkpp_ticket": "TTS-9"},
            headers=h,
        )
        assert r.status_code == 200, r.get_json()
        assert client.post(f"/api/tickets/{token}/print-form", json={"counter_id": 1}, headers=h).status_code == 202
        PrintWorker(svc, "loket1", svc.settings.printers["loket1"]).run_once()
        data = printer.wait_for_close()
        for part in (
            b"Jenis: Pertanyaan\n",
            b"Tiket LKPP: TTS-9\n",
            b"Jawaban LKPP: Kunci dibuat ulang.\n",
            b"( Budi Santoso, S.T. )\n",
            b"NIP. 19850101 201001 1 001\n",
        ):
            assert part in data, part
        assert b"( budi )" not in data and b"pertanyaan" not in data and b"Jawaban LKPP: Jawaban" not in data
        page = client.get(f"/counter/form/{token}").get_data(as_text=True)
        for part in ("PERMASALAHAN (Pertanyaan)", "Jawaban LKPP: Kunci dibuat ulang.", "( Budi Santoso, S.T. )"):
            assert part in page, part
        assert "Jawaban LKPP: Jawaban" not in page
        svc.stop()
        svc.store.close()
    finally:
        printer.stop()
