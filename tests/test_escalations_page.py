"""The escalations page (/counter/escalations): open cases to the LKPP helpdesk, live, in real Chromium.

A real server process with escalation e-mail on, sending to an SMTP server on 127.0.0.1 (aiosmtpd).
Set ANTRIAN_SCREENSHOTS=1 to refresh docs/screenshots/escalations.png.
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from conftest import ROOT, write_config
from live import LiveServer, free_port
from playwright.sync_api import expect
from smtp import SmtpServer

PASSWORD = "rahasia-123"
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def office(tmp_path_factory, smtp):
    tmp = tmp_path_factory.mktemp("escalations")
    cfg = write_config(
        tmp,
        {'enabled = false\nhost = "127.0.0.1"\nport = 25': f'enabled = true\nhost = "127.0.0.1"\nport = {smtp.port}'},
    )
    server = LiveServer(cfg).start()
    server.add_user("budi", "officer")
    server.add_user("rina", "frontoffice")
    server.db = tmp / "antrian.db"
    yield server
    server.stop()


@pytest.fixture
def officer(office):
    return office.session("budi", PASSWORD)


@pytest.fixture(autouse=True)
def no_open_cases(office, officer):
    """Every test starts with no open escalation (the server lives for the whole module)."""
    for case in officer.get(office.url + "/api/escalations", timeout=5).json()["escalations"]:
        r = officer.post(f"{office.url}/api/tickets/{case['id']}/close", json={"answer": "Dibersihkan."}, timeout=5)
        assert r.status_code == 200, r.text
    yield


def escalate(live, session, name: str, agency: str, problem: str, note: str) -> dict:
    """A visitor served at counter 1 and escalated: the open case as /api/escalations lists it."""
    r = requests.post(
        live.url + "/api/tickets",
        timeout=5,
        json={
            "service": "A",
            "name": name,
            "agency": agency,
            "address": "Jl. Sudirman No. 12",
            "phone": "081234567890",
            "problem": problem,
        },
    )
    assert r.status_code == 201, r.text
    label = r.json()["ticket"]["label"]
    for action, data in (("call-next", {}), ("start", {}), ("escalate", {"note": note})):
        r = session.post(f"{live.url}/api/counters/1/{action}", json=data, timeout=5)
        assert r.status_code == 200, r.text
    # Wait for the mail worker's first try. It builds the message inside a read transaction on the
    # thread's shared connection, and make_msgid()'s host-name lookup yields under gevent: a write
    # arriving meanwhile fails with 500 "cannot start a transaction within a transaction".
    deadline = time.monotonic() + 10
    while True:
        cases = session.get(live.url + "/api/escalations", timeout=5).json()["escalations"]
        case = next(c for c in cases if c["label"] == label and c["note"] == note)
        if case["mail"]["status"] != "queued":
            return case
        assert time.monotonic() < deadline, "the mail worker never tried the escalation mail"
        time.sleep(0.05)


def backdate(live, ticket_id: int, ago: timedelta, day: str | None = None) -> None:
    """Make a case older than this test run (as if escalated `ago` before now, maybe on an earlier day)."""
    at = (datetime.now(UTC) - ago).isoformat()
    with sqlite3.connect(live.db, timeout=10) as db:
        if day:
            db.execute("UPDATE tickets SET finished_at = ?, day = ? WHERE id = ?", [at, day, ticket_id])
        else:
            db.execute("UPDATE tickets SET finished_at = ? WHERE id = ?", [at, ticket_id])
    db.close()


def open_page(browser, live, username: str, fake_clock: bool = False):
    context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
    page = context.new_page()
    if fake_clock:
        page.clock.install()
    page.goto(live.url + "/counter/escalations")
    page.fill("#login-form [name=username]", username)
    page.fill("#login-form [name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#officer-name")).to_have_text(username)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    return page


def card(page, case: dict):
    return page.locator(f"#cases li.case[data-id='{case['id']}']")


def test_each_open_case_shows_the_visitor_analysis_mail_state_and_a_live_age(browser, office, officer):
    old = escalate(
        office,
        officer,
        "Rudi Hartono",
        "PT Karya Mandiri",
        "Tidak bisa mengunggah dokumen penawaran: muncul galat 500.",
        "Galat di server SPSE saat unggah; sudah dicoba dua peramban.",
    )
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    backdate(office, old["id"], timedelta(hours=26, minutes=10), day=yesterday)
    new = escalate(
        office,
        officer,
        "Siti Aminah",
        "Dinas PUPR Kabupaten Contoh",
        "Paket tender tidak muncul di daftar Pokja.",
        "Paket sudah diumumkan; perlu dicek LKPP apakah sinkronisasi gagal.",
    )
    backdate(office, new["id"], timedelta(hours=2, minutes=5, seconds=45))

    page = open_page(browser, office, "budi", fake_clock=True)
    expect(page.locator("#cases li.case")).to_have_count(2)
    expect(page.locator("#case-count")).to_have_text("2")
    assert page.locator("#cases li.case").evaluate_all("cs => cs.map(c => Number(c.dataset.id))") == [
        old["id"],
        new["id"],
    ]  # oldest first
    c = card(page, new)
    expect(c.locator(".label")).to_have_text(new["label"])
    expect(c.locator(".who")).to_have_text("Siti Aminah — Dinas PUPR Kabupaten Contoh")
    expect(c.locator(".problem")).to_have_text("Paket tender tidak muncul di daftar Pokja.")
    expect(c.locator(".note")).to_have_text("Paket sudah diumumkan; perlu dicek LKPP apakah sinkronisasi gagal.")
    expect(c.locator(".by")).to_have_text("oleh budi")
    expect(c.locator(".lkpp")).to_have_text("Belum ada nomor tiket LKPP")
    expect(c.locator(".age")).to_have_text("2 jam 5 menit")
    expect(card(page, old).locator(".age")).to_have_text("1 hari 2 jam")
    weekday = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"][date.today().weekday() - 1]
    expect(card(page, old).locator(".when")).to_contain_text(f"Dieskalasi {weekday},")
    # SMTP is up: the mail went out in the background.
    expect(c.locator(".mail")).to_have_attribute("data-state", "sent")
    expect(c.locator(".mail")).to_contain_text("Terkirim")

    page.clock.run_for(30_000)  # the age keeps counting without a refetch
    expect(c.locator(".age")).to_have_text("2 jam 6 menit")
    assert page.evaluate(
        "async () => { const m = await import('/counter/static/escalations.js');"
        " return [m.formatAge(30), m.formatAge(45 * 60), m.formatAge(3 * 86400 + 600)]; }"
    ) == ["kurang dari 1 menit", "45 menit", "3 hari"]

    page.click("#lang-toggle")
    expect(page.locator(".esc-head h1")).to_contain_text("Open cases")
    expect(c.locator(".age")).to_have_text("2 h 6 min")
    expect(c.locator(".mail")).to_contain_text("Sent")
    expect(c.locator("button.close-case")).to_have_text("Record the answer & close the case")
    page.click("#lang-toggle")
    page.context.close()


def test_refusals_show_at_the_field_and_a_case_of_an_earlier_day_closes_by_its_id(browser, office, officer):
    case = escalate(
        office,
        officer,
        "Agus Salim",
        "CV Sinar Jaya",
        "Kualifikasi tidak bisa dikirim.",
        "Tombol kirim tidak aktif; tidak ada galat di konsol.",
    )
    backdate(office, case["id"], timedelta(days=3), day=(date.today() - timedelta(days=3)).isoformat())
    page = open_page(browser, office, "budi")
    c = card(page, case)
    expect(c).to_be_visible()

    c.locator("button.save-lkpp").click()  # nothing typed: the server's message, at the field
    expect(c.locator(".field-error[data-field=lkpp_ticket]")).to_have_text("Wajib diisi.")
    expect(c.locator("[name=lkpp_ticket]")).to_have_attribute("aria-invalid", "true")
    c.locator("[name=lkpp_ticket]").fill("TTS-2026-0042")
    expect(c.locator(".field-error[data-field=lkpp_ticket]")).to_have_text("")
    c.locator("[name=lkpp_ticket]").press("Enter")
    expect(c.locator(".lkpp")).to_have_text("Tiket LKPP: TTS-2026-0042")
    expect(c.locator(".done")).to_have_text("Nomor tiket TTS-2026-0042 dicatat.")
    expect(c.locator("[name=lkpp_ticket]")).to_have_value("")

    c.locator("button.close-case").click()
    expect(c.locator(".field-error[data-field=answer]")).to_have_text("Wajib diisi.")
    assert officer.get(office.url + "/api/escalations", timeout=5).json()["escalations"][0]["id"] == case["id"]

    c.locator("[name=answer]").fill("Tombol kirim aktif kembali setelah cache SPSE dibersihkan LKPP.")
    c.locator("[name=answer]").press("Control+Enter")
    expect(c).to_have_count(0)
    expect(page.locator("#page-notice")).to_contain_text(f"{case['label']} (")
    expect(page.locator("#page-notice")).to_contain_text("ditutup: jawaban LKPP dicatat.")
    expect(page.locator("#cases-empty")).to_be_visible()
    assert officer.get(office.url + "/api/escalations", timeout=5).json()["escalations"] == []
    types = [
        e["type"] for e in officer.get(f"{office.url}/api/tickets/{case['id']}/history", timeout=5).json()["events"]
    ]
    assert types[-2:] == ["lkpp_ticket", "closed"]
    page.context.close()


def test_a_case_escalated_elsewhere_appears_live_without_losing_what_is_being_typed(browser, office, officer):
    first = escalate(office, officer, "Budi Santoso", "CV Maju", "Lupa akun.", "Akun terkunci di LKPP.")
    page = open_page(browser, office, "budi")
    answer = card(page, first).locator("[name=answer]")
    answer.fill("Sedang menulis jawaban")
    answer.focus()

    second = escalate(office, officer, "Dewi Lestari", "CV Baru", "Sertifikat elektronik.", "Perlu cek BSrE.")
    expect(card(page, second)).to_be_visible()
    expect(page.locator("#case-count")).to_have_text("2")
    expect(answer).to_have_value("Sedang menulis jawaban")
    assert page.evaluate("document.activeElement.name") == "answer"

    # Closed somewhere else (another officer): the card goes, and its 'closed' event says so.
    officer.post(f"{office.url}/api/tickets/{first['id']}/close", json={"answer": "Dijawab lewat telepon."}, timeout=5)
    expect(card(page, first)).to_have_count(0)
    expect(page.locator("#case-count")).to_have_text("1")
    page.context.close()


def test_the_front_office_sees_the_cases_but_records_nothing(browser, office, officer):
    case = escalate(office, officer, "Hana Putri", "Dinas Pendidikan", "Tidak bisa login.", "Akun ganda.")
    page = open_page(browser, office, "rina")
    c = card(page, case)
    expect(c.locator(".who")).to_have_text("Hana Putri — Dinas Pendidikan")
    expect(c.locator("[name=answer]")).to_have_count(0)
    expect(c.locator(".acts")).to_have_text("Nomor tiket dan jawaban LKPP dicatat oleh petugas helpdesk.")
    page.context.close()


def test_names_and_problems_are_shown_as_text_never_as_markup(browser, office, officer):
    case = escalate(
        office,
        officer,
        "<img src=x onerror=alert(1)>",
        "<b>CV</b>",
        "<script>window.pwned = 1</script>",
        "<i>analisis</i>",
    )
    page = open_page(browser, office, "budi")
    c = card(page, case)
    expect(c.locator(".who")).to_have_text("<img src=x onerror=alert(1)> — <b>CV</b>")
    expect(c.locator(".note")).to_have_text("<i>analisis</i>")
    assert c.locator("img, b, i, script").count() == 0
    assert page.evaluate("window.pwned") is None
    page.context.close()


def test_screenshot_of_a_few_open_cases(browser, office, officer, smtp):
    """A 1366x768 picture for docs/counter.md: an answered-by-number case, a sent one, one still retrying."""
    a = escalate(
        office,
        officer,
        "Rudi Hartono",
        "PT Karya Mandiri",
        "Tidak bisa mengunggah dokumen penawaran: muncul galat 500 pada tahap pemasukan.",
        "Galat terjadi di server SPSE saat unggah; sudah dicoba dua peramban dan dua jaringan.",
    )
    r = officer.post(
        f"{office.url}/api/tickets/{a['id']}/lkpp-ticket", json={"lkpp_ticket": "TTS-2026-0042"}, timeout=5
    )
    assert r.status_code == 200, r.text
    backdate(office, a["id"], timedelta(hours=26, minutes=10), day=(date.today() - timedelta(days=1)).isoformat())
    b = escalate(
        office,
        officer,
        "Siti Aminah",
        "Dinas PUPR Kabupaten Contoh",
        "Paket tender tidak muncul di daftar Pokja.",
        "Paket sudah diumumkan; perlu dicek LKPP apakah sinkronisasi gagal.",
    )
    backdate(office, b["id"], timedelta(hours=2, minutes=5))
    assert b["mail"]["status"] == "sent"
    smtp.stop()
    try:
        c = escalate(
            office,
            officer,
            "Yusuf Maulana",
            "CV Cahaya Abadi",
            "Jadwal tahapan tender tidak tampil.",
            "Jadwal kosong di semua peramban; data paket lengkap.",
        )
        page = open_page(browser, office, "budi")
        expect(page.locator("#cases li.case")).to_have_count(3)
        expect(card(page, c).locator(".mail")).to_have_attribute("data-state", "retrying")
        expect(card(page, b).locator(".mail")).to_have_attribute("data-state", "sent")
        card(page, b).locator("[name=lkpp_ticket]").fill("TTS-2026-0051")
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        if os.environ.get("ANTRIAN_SCREENSHOTS"):  # refresh docs/screenshots only when asked
            page.screenshot(path=str(ROOT / "docs" / "screenshots" / "escalations.png"))
        page.context.close()
    finally:
        smtp.start()
