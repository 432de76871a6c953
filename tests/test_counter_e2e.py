"""The officer's whole flow, SOP steps 7-12, end to end: real server, real Chromium, real SMTP and printer.

Escalation e-mail goes to aiosmtpd on 127.0.0.1; counter 1's printer is a TCP printer on
127.0.0.1 (FakeNetworkPrinter) that records the ESC/POS bytes it receives; counter 2's is a TCP
printer on a port where nothing listens until a test switches it on (connection refused).
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from conftest import write_config
from fakeprinter import FakeNetworkPrinter
from live import ClockedServer, free_port, wait_for
from playwright.sync_api import expect
from shots import keep_shot
from smtp import SmtpServer
from staffpages import open_counter, sign_in

from server.outbox import mail_backoff_seconds

PASSWORD = "rahasia-123"
VIEWPORT = {"width": 1366, "height": 768}
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober"]
MONTHS += ["November", "Desember"]


def tanggal(when: datetime) -> str:
    """An Indonesian date as the office writes it: 'Sabtu, 28 November 2026'."""
    return f"{DAYS[when.weekday()]}, {when.day} {MONTHS[when.month - 1]} {when.year}"


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer(free_port())  # not listening until a test starts it
    yield server
    server.stop()


@pytest.fixture(scope="module")
def printer():
    p = FakeNetworkPrinter()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def off_port():
    """Counter 2's printer: nothing listens there until a test starts a FakeNetworkPrinter on it."""
    return free_port()


@pytest.fixture(scope="module")
def office(tmp_path_factory, smtp, printer, off_port):
    cfg = write_config(
        tmp_path_factory.mktemp("e2e"),
        {
            'enabled = false\nhost = "127.0.0.1"\nport = 25': f'enabled = true\nhost = "127.0.0.1"\nport = {smtp.port}',
            'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "loket1"',
            'services = ["A", "B"]': 'services = ["A", "B"]\nprinter = "loket2"',
        },
        extra=f'\n[printers.loket1]\ntype = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
        'timeout = 1\nprofile = "TM-T20II"\n'
        f'\n[printers.loket2]\ntype = "network"\nhost = "127.0.0.1"\nport = {off_port}\n'
        'timeout = 1\nprofile = "TM-T20II"\n',
    )
    server = ClockedServer(cfg).start()  # on a clock a test moves on to a mail's next try
    server.add_user("budi", "officer")
    yield server
    server.stop()


def issue(live, name: str, problem: str) -> dict:
    r = requests.post(
        live.url + "/api/tickets",
        timeout=5,
        json={
            "service": "A",
            "name": name,
            "agency": "CV Maju Bersama",
            "address": "Jl. Sudirman No. 12",
            "phone": "081234567890",
            "problem": problem,
            "category": "pengaduan",
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def log_in(browser, live, path: str):
    context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
    return sign_in(context.new_page(), live, path, "budi")


def open_case(session, live, label: str) -> dict:
    cases = session.get(live.url + "/api/escalations", timeout=5).json()["escalations"]
    return next(c for c in cases if c["label"] == label)


def test_call_recall_skip_resolve_escalate_mail_print_and_close_at_lkpp(browser, office, smtp, printer):
    smtp.start()
    try:
        ani = issue(office, "Ani Wijaya", "Dokumen penawaran gagal terenkripsi saat diunggah.")
        bayu = issue(office, "Bayu Pratama", "Lupa kata sandi akun penyedia SPSE.")
        citra = issue(office, "Citra Lestari", "Cara mendaftar akun penyedia baru.")
        page = open_counter(browser, office)

        # SOP step 8: call, recall twice, skip; the skipped visitor comes back after the next one.
        page.click("#btn-call-next")
        expect(page.locator("#t-label")).to_have_text(ani["label"])
        expect(page.locator("#f-name")).to_have_text("Ani Wijaya")
        expect(page.locator("#f-problem")).to_have_text("Dokumen penawaran gagal terenkripsi saat diunggah.")
        page.click("#btn-recall")
        expect(page.locator("#t-calls")).to_have_text("panggilan 2 dari 3")
        expect(page.locator("#btn-recall")).to_be_enabled()  # the page waits for each answer
        page.keyboard.press("r")
        expect(page.locator("#t-calls")).to_have_text("panggilan 3 dari 3")
        expect(page.locator("#btn-recall")).to_be_disabled()
        page.click("#btn-skip")
        expect(page.locator("#notice")).to_contain_text(f"{ani['label']} dilewati")

        expect(page.locator("#btn-call-next")).to_be_enabled()
        page.keyboard.press("n")
        expect(page.locator("#t-label")).to_have_text(bayu["label"])
        expect(page.locator("#f-name")).to_have_text("Bayu Pratama")
        expect(page.locator("#btn-start")).to_be_enabled()
        page.keyboard.press("d")
        expect(page.locator("#t-status")).to_have_text("dilayani")
        expect(page.locator("#btn-resolve")).to_be_enabled()
        page.fill("#solution", "Kata sandi direset lewat menu Lupa Password; pengguna berhasil masuk.")
        page.click("#btn-resolve")
        expect(page.locator("#notice")).to_have_text(f"{bayu['label']} selesai.")

        expect(page.locator("#btn-call-next")).to_be_enabled()
        page.keyboard.press("n")
        expect(page.locator("#t-label")).to_have_text(ani["label"])  # right after Bayu, before Citra
        expect(page.locator("#f-name")).to_have_text("Ani Wijaya")
        expect(page.locator("#btn-start")).to_be_enabled()
        page.click("#btn-start")
        expect(page.locator("#t-status")).to_have_text("dilayani")
        expect(page.locator("#btn-escalate")).to_be_enabled()

        # SOP step 11: no solution here; escalate to the LKPP helpdesk by e-mail.
        analysis = "Kunci publik paket rusak; enkripsi gagal di semua peramban. Mohon dicek LKPP."
        page.fill("#note", analysis)
        page.click("#btn-escalate")
        # the mail's state in words, not the server's code ("queued"), followed live: its mail_sent event
        # (which may come before the escalation's answer) turns "menunggu dikirim" into "terkirim"
        said = f"{ani['label']} dieskalasi; e-mail ke helpdesk@lkpp.go.id: "
        expect(page.locator("#notice")).to_have_text(re.compile(rf"^{said}(menunggu dikirim|terkirim)\.$"))
        sender, rcpts, msg = smtp.wait_for_mail(1, timeout=10)[0]
        expect(page.locator("#notice")).to_have_text(f"{said}terkirim.")
        page.set_viewport_size({"width": 1024, "height": 768})
        keep_shot(page, "counter-mail-sent.png")
        page.set_viewport_size(VIEWPORT)
        assert sender == "helpdesk@lpse.contoh.go.id" and rcpts == ["helpdesk@lkpp.go.id"]
        today = tanggal(datetime.now(ZoneInfo("Asia/Jakarta")))
        assert msg["Subject"] == f"[Eskalasi] LPSE Kabupaten Contoh - tiket {ani['label']} - {today}"
        body = msg.get_content().replace("\r\n", "\n")
        for part in (
            f"Nomor antrian       : {ani['label']}",
            f"Tanggal             : {today}",
            "Nama                : Ani Wijaya",
            "Instansi/Perusahaan : CV Maju Bersama",
            "Alamat              : Jl. Sudirman No. 12",
            "Telepon             : 081234567890",
            "B. PERMASALAHAN\nDokumen penawaran gagal terenkripsi saat diunggah.",
            f"C. ANALISIS HELPDESK LPSE\n{analysis}",
            "Pemberi penjelasan: budi",
        ):
            assert part in body, part

        # SOP step 12: the visitor's copy of the form on the counter's TCP printer.
        expect(page.locator("#btn-print-form")).to_contain_text(ani["label"])
        expect(page.locator("#btn-print-form")).to_be_enabled()
        page.keyboard.press("p")
        expect(page.locator("#notice")).to_contain_text(f"Salinan formulir {ani['label']} dikirim ke printer")
        # the fake printer's thread reads the copy as it comes (in parts: its receive buffer is small), so the
        # visitor's name can be in while the problem, further down, is not yet: each of them waited for
        parts = (b"Ani Wijaya", b"FORMULIR KONSULTASI", b"Kunci publik paket rusak")
        deadline = time.monotonic() + 15
        while not all(part in printer.received for part in parts):
            assert time.monotonic() < deadline, (
                [p for p in parts if p not in printer.received],
                bytes(printer.received),
            )
            time.sleep(0.1)

        # LKPP answers: the ticket number, then the answer, on the escalations page.
        officer = office.session("budi", PASSWORD)
        case = open_case(officer, office, ani["label"])
        assert case["mail"]["status"] == "sent"
        esc = page.context.new_page()
        esc.goto(office.url + "/counter/escalations")  # the same login
        card = esc.locator(f"#cases li.case[data-id='{case['id']}']")
        expect(card.locator(".who")).to_have_text("Ani Wijaya — CV Maju Bersama")
        expect(card.locator(".note")).to_have_text(analysis)
        expect(card.locator(".mail")).to_contain_text("Terkirim")
        card.locator("[name=lkpp_ticket]").fill("TTS-2026-0042")
        card.locator("button.save-lkpp").click()
        expect(card.locator(".lkpp")).to_have_text("Tiket LKPP: TTS-2026-0042")
        card.locator("[name=answer]").fill("Kunci paket dibuat ulang oleh LKPP; penawaran berhasil diunggah.")
        card.locator("button.close-case").click()
        expect(card).to_have_count(0)
        still_open = officer.get(office.url + "/api/escalations", timeout=5).json()["escalations"]
        assert case["id"] not in [c["id"] for c in still_open]
        events = officer.get(f"{office.url}/api/tickets/{case['id']}/history", timeout=5).json()["events"]
        types = [e["type"] for e in events]
        for kind in ("called", "recalled", "skipped", "started", "escalated", "mail_sent", "form_print"):
            assert kind in types, types
        assert types[-2:] == ["lkpp_ticket", "closed"]
        assert events[-2]["data"]["lkpp_ticket"] == "TTS-2026-0042"
        assert requests.get(f"{office.url}/api/tickets/{citra['token']}", timeout=5).json()["ticket"]["status"] == (
            "waiting"
        )
        page.context.close()
    finally:
        smtp.stop()


def test_mail_to_a_stopped_smtp_server_shows_retrying_then_sent_once_it_is_back(browser, office, smtp):
    assert smtp.controller is None  # nothing listens on the SMTP port
    officer = office.session("budi", PASSWORD)
    dewi = issue(office, "Dewi Anggraini", "Jadwal tahapan tender tidak tampil.")
    staff = officer.get(office.url + "/api/staff/state", timeout=5).json()
    for ticket in staff["tickets"]:  # whatever an earlier test left waiting goes first
        if ticket["label"] != dewi["label"]:
            officer.post(f"{office.url}/api/counters/1/call-next", json={}, timeout=5)
            officer.post(f"{office.url}/api/counters/1/start", json={}, timeout=5)
            officer.post(f"{office.url}/api/counters/1/resolve", json={"solution": "Selesai."}, timeout=5)
    for action, data in (("call-next", {}), ("start", {}), ("escalate", {"note": "Perlu dicek LKPP."})):
        r = officer.post(f"{office.url}/api/counters/1/{action}", json=data, timeout=5)
        assert r.status_code == 200, r.text
    assert r.json()["ticket"]["label"] == dewi["label"]

    page = log_in(browser, office, "/counter/escalations")
    case = open_case(officer, office, dewi["label"])
    mail = page.locator(f"#cases li.case[data-id='{case['id']}'] .mail")
    expect(mail).to_have_attribute("data-state", "retrying")
    expect(mail).to_contain_text("Belum terkirim, dicoba lagi (percobaan 1)")
    expect(mail).to_contain_text(f"127.0.0.1:{smtp.port}: ConnectionRefusedError")

    smtp.start()
    office.advance(mail_backoff_seconds(1))  # the worker's next try (4 s after the first) is due: not waited out
    try:  # the worker tries again at its next round: the page follows its mail_sent event
        expect(mail).to_have_attribute("data-state", "sent", timeout=15_000)
        expect(mail).to_contain_text("Terkirim")
        assert [m for _, _, m in smtp.inbox.messages if dewi["label"] in m["Subject"]]
    finally:
        smtp.stop()
    page.context.close()


def test_a_form_copy_that_does_not_print_is_said_at_the_counter_until_it_prints(browser, office, off_port):
    eka = issue(office, "Eka Putri", "Cara mengunggah dokumen kualifikasi.")
    label = eka["label"]
    page = open_counter(browser, office, counter="2")
    page.locator(f"#line li[data-label='{label}'] button.call").click()  # whatever else waits stays
    expect(page.locator("#t-label")).to_have_text(label)
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    page.keyboard.type("Dijelaskan langkah unggah dokumen kualifikasi.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#notice")).to_have_text(f"{label} selesai.")

    # SOP step 12 on counter 2's printer, which is off: the page says so, with what to do and the A4 form.
    notice, alert = page.locator("#notice"), page.locator("#copy-alert")
    expect(alert).to_be_hidden()
    # the copy's answer taken with its press: a response listener's list, read after the page drew the alert, could
    # still lack it (Playwright hands the test the response's event apart from what the page draws)
    with page.expect_response(lambda r: r.url.endswith("/print-form"), timeout=15_000) as sent:
        page.keyboard.press("p")
    expect(alert).to_contain_text(
        f"Salinan formulir {label} belum tercetak: Printer Loket 2: tidak dapat dihubungi — nyalakan printer"
        " dan periksa kabel jaringannya; salinan formulir dicetak lagi otomatis."
    )
    # "dikirim ke printer (tugas cetak #N)" went with the failure: only the red line, the truth now
    expect(notice).to_be_empty()
    job = sent.value.json()["print_job"]
    expect(page.locator("#copy-alert-a4")).to_have_attribute("href", f"/counter/form/{eka['token']}")
    page.keyboard.press("p")  # again while it waits: that copy is tried at once, no second one
    expect(notice).to_have_text(
        f"Salinan formulir {label} masih menunggu printer (tugas cetak #{job}): dicoba lagi sekarang,"
        " tanpa salinan kedua."
    )
    page.click("#lang-toggle")
    expect(alert).to_contain_text(f"The form copy of {label} has not printed: Loket 2 printer: cannot be reached")
    expect(page.locator("#copy-alert-a4")).to_have_text("Print the A4 form instead")
    page.click("#lang-toggle")

    # a trip to another staff page and back: the form copy's button, its A4 link and the alert stay
    page.click(".staff-nav >> text=Eskalasi")
    page.wait_for_url(re.compile(r"/counter/escalations$"))
    page.click(".staff-nav >> text=Loket")
    expect(page.locator("#btn-print-form")).to_contain_text(label)
    expect(page.locator("#btn-print-form")).to_be_enabled()
    expect(page.locator("#link-form-a4")).to_have_attribute("href", f"/counter/form/{eka['token']}")
    expect(alert).to_contain_text(f"Salinan formulir {label} belum tercetak")

    printer = FakeNetworkPrinter(port=off_port)  # switched on: the next try prints it, and the line goes
    try:
        page.keyboard.press("p")
        expect(alert).to_be_hidden()
        expect(notice).to_have_text(f"Salinan formulir {label} sudah tercetak.")
        deadline = time.monotonic() + 10
        while b"Eka Putri" not in printer.received:
            assert time.monotonic() < deadline, bytes(printer.received)
            time.sleep(0.05)
        assert printer.received.count(b"FORMULIR KONSULTASI") == 1  # one copy, however often P was pressed
    finally:
        printer.stop()
    page.context.close()


def test_a_form_copy_printed_while_the_officer_was_on_another_page_is_said_printed_on_return(browser, office, off_port):
    """The red line of a copy that printed meanwhile goes, and the page says it printed: before, it went silently,
    and the officer could not tell a printed copy from an alert lost."""
    fajar = issue(office, "Fajar Nugroho", "Cara menambah anggota pokja.")
    label = fajar["label"]
    page = open_counter(browser, office, counter="2")
    page.locator(f"#line li[data-label='{label}'] button.call").click()
    expect(page.locator("#t-label")).to_have_text(label)
    page.keyboard.press("d")
    page.keyboard.type("Dijelaskan cara menambah anggota pokja.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#notice")).to_have_text(f"{label} selesai.")
    alert = page.locator("#copy-alert")
    page.keyboard.press("p")  # counter 2's printer is off
    expect(alert).to_contain_text(f"Salinan formulir {label} belum tercetak")

    page.click(".staff-nav >> text=Eskalasi")
    page.wait_for_url(re.compile(r"/counter/escalations$"))
    printer = FakeNetworkPrinter(port=off_port)  # switched on while the officer is away from the counter page
    try:
        # the copy asked for again meanwhile (the officer's other tab): its waiting job is tried now, and prints
        status = page.evaluate(
            """async ([token, counter]) => {
                const me = await (await fetch("/api/me")).json();
                const r = await fetch(`/api/tickets/${encodeURIComponent(token)}/print-form`, {
                    method: "POST",
                    headers: { "Content-Type": "application/json", "X-CSRFToken": me.csrf_token },
                    body: JSON.stringify({ counter_id: counter }),
                });
                return r.status;
            }""",
            [fajar["token"], 2],
        )
        assert status == 202  # accepted: sent to the printer
        deadline = time.monotonic() + 10
        while b"Fajar Nugroho" not in printer.received:
            assert time.monotonic() < deadline, bytes(printer.received)
            time.sleep(0.05)
        jobs = 'async () => (await (await fetch("/api/print-jobs")).json()).jobs'  # as the officer's page reads them

        def printed() -> bool:  # printed while the officer is away, the page told of it only on its return
            return any(j["label"] == label and j["status"] == "printed" for j in page.evaluate(jobs))

        assert wait_for(printed), page.evaluate(jobs)
        # on until the page has said it: the server asks a printer again once a copy has had time to come out (a
        # paper out mid-slip), and one switched off at once (a loaded CI run's page came back after that) is a copy
        # torn, printed again: "belum tercetak" on return
        page.click(".staff-nav >> text=Loket")
        expect(page.locator("#btn-print-form")).to_contain_text(label)
        expect(alert).to_be_hidden()
        expect(page.locator("#notice")).to_have_text(f"Salinan formulir {label} sudah tercetak.")
    finally:
        printer.stop()
    page.context.close()
