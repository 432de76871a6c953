"""Two helpdesk officers' morning at the counter page, on a real server in real Chromium (helper-399): 15 visitors of
services A, B and C with long names and problems from ../shared/data, Loket 1 (budi, A and C) and Loket 2 (sari, A and
B). Each step is what an officer does, and each is checked three ways: the page says it (in Indonesian), the server
agrees (GET /api/staff/state, GET /api/tickets: the ticket, the order of the line, the counter's next call), and on
the office PC's screens (1366x768, 1280x720, 1024x768) nothing of it is off the screen or cut on the page that changed:
the page does not scroll, the row of buttons, the outcome's buttons and the notice are whole on the screen.
Screenshots for a person to look at are kept with ANTRIAN_SHOTS (tests/shots.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import PASSWORD, empty_queue, issue, open_counter, resize, staffed
from test_counter_presses import SlowFrames, counter_through

DATA = Path(__file__).resolve().parent.parent / "server" / "data"  # the demo's copy of ../shared/data
LAPTOP = {"width": 1366, "height": 768}
SCREENS = (LAPTOP, {"width": 1280, "height": 720}, {"width": 1024, "height": 768})
NAMES = (
    "Raden Mas Bagus Prasetyo Wicaksono Adinegoro",
    "Siti Nurhaliza Putri Kusumawardhani Rahmawati",
    "Muhammad Rizky Ananda Syahputra Nasution",
    "Anak Agung Gede Ngurah Putra Wiratama",
    "Christina Margaretha Simanjuntak Hutabarat",
    "I Gusti Ayu Komang Sri Widyastuti Dewi",
    "Fransiskus Xaverius Bonaventura Sinaga",
    "Dra. Hj. Kartika Sari Dewi Lestari, M.Si.",
    "Teuku Muhammad Iskandar Muda Alamsyah",
    "Yohanes Paulus Adrianus Wirawan Kusuma",
    "Nyoman Ayu Puspita Sari Widiantari",
    "Bambang Sutrisno Hadi Kusumo Wijoyo",
    "Cut Nyak Meutia Rahmadhani Zahara",
    "Ir. H. Abdul Rahman Wahid Hasibuan, M.T.",
    "Ni Luh Putu Ayu Kartika Maharani Dewi",
)
TRIED = (
    " Sudah dicoba berulang kali sejak kemarin pagi di beberapa komputer kantor dan jaringan berbeda, tetapi hasilnya"
    " tetap sama dan batas waktu paket tinggal dua hari lagi."
)
# What an officer needs on the screen while a visitor is at the counter: the row of buttons and the outcome's.
BUTTONS = ("#btn-call-next", "#btn-recall", "#btn-skip", "#btn-start", "#btn-pause")
OUTCOME = ("#btn-resolve", "#btn-escalate", "#btn-transfer")


@pytest.fixture(scope="module")
def office(live):
    return staffed(live)


def rows(name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((DATA / name).read_text(encoding="utf-8"))))


def morning(live) -> list[dict]:
    """The 15 visitors of the morning, taken at the kiosk in the order A, B, C, A, B, C…: each with a long name, an
    agency and its address from agencies.csv, their own phone, and a problem of their service from spse-problems.csv
    with what they tried already (about 250 characters)."""
    problems, agencies = rows("spse-problems.csv"), rows("agencies.csv")
    tickets = []
    for i, name in enumerate(NAMES):
        service = "ABC"[i % 3]
        problem = [p for p in problems if p["service"] == service][i // 3]["problem"]
        agency = agencies[i % len(agencies)]
        r = requests.post(
            live.url + "/api/tickets",
            timeout=5,
            json={
                "service": service,
                "name": name,
                "agency": agency["name"],
                "address": agency["address"],
                "phone": f"08123456{i:04d}",
                "problem": problem + "." + TRIED,
                "priority": False,
            },
        )
        assert r.status_code == 201, r.text
        tickets.append(r.json()["ticket"])
    return tickets


def staff_state(live) -> dict:
    return live.session("kepala", PASSWORD).get(live.url + "/api/staff/state", timeout=5).json()


def ticket(state: dict, label: str) -> dict:
    return next(t for t in state["tickets"] if t["label"] == label)


def today(live, label: str) -> dict:
    """Today's ticket `label` in any status, finished too (GET /api/tickets)."""
    tickets = live.session("kepala", PASSWORD).get(live.url + "/api/tickets", timeout=5).json()["tickets"]
    return next(t for t in tickets if t["label"] == label)


def counter(state: dict, counter_id: int) -> dict:
    return next(c for c in state["counters"] if c["id"] == counter_id)


def line_is_true(page, live, counter_id: int) -> dict:
    """The page's waiting line is the server's: each service the counter serves lists its waiting tickets in the
    server's calling order (position), and the ticket marked *Berikutnya* is the counter's next call
    (`counters[].next`). The server's state, for more checks."""
    state = staff_state(live)
    here = counter(state, counter_id)
    for service in here["services"]:
        waiting = sorted(
            (t for t in state["tickets"] if t["status"] == "waiting" and t["service"] == service),
            key=lambda t: (not t["priority_lane"], t["position"]),
        )
        shown = page.locator(f'#line section[data-service="{service}"] li').evaluate_all(
            "items => items.map(li => li.dataset.label)"
        )
        assert shown == [t["label"] for t in waiting], (service, shown)
    marked = page.locator("#line li.next").evaluate_all("items => items.map(li => li.dataset.label)")
    assert marked == ([here["next"]["label"]] if here["next"] else []), (marked, here["next"])
    return state


def fits(page, step: str) -> None:
    """At 1366x768, 1280x720 and 1024x768: the page does not scroll, the buttons are whole on the screen (the
    outcome's too, while a visitor is served), the notice is whole (not cut, not scrolled), and the screenshot is
    kept for a person to look at."""
    size = page.viewport_size
    serving = page.locator("#t-status").get_attribute("data-status") == "serving"
    for screen in SCREENS:
        resize(page, screen)
        assert page.evaluate("document.scrollingElement.scrollHeight <= innerHeight"), (step, screen)
        for selector in BUTTONS + (OUTCOME if serving else ()):
            box = page.locator(selector).bounding_box()
            assert box, (step, screen, selector)
            assert box["x"] >= 0 and box["x"] + box["width"] <= screen["width"] + 0.5, (step, screen, selector, box)
            assert box["y"] >= 0 and box["y"] + box["height"] <= screen["height"] + 0.5, (step, screen, selector, box)
        notice = page.locator("#notice")
        if notice.is_visible():
            cut = notice.evaluate("e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1")
            assert not cut, (step, screen, notice.inner_text())
            box = notice.bounding_box()
            assert box["y"] + box["height"] <= screen["height"], (step, screen, box)
        keep_shot(page, f"{step}-{page.locator('#officer-name').inner_text()}-{screen['width']}x{screen['height']}.png")
    resize(page, size)


def both_fit(budi, sari, step: str) -> None:
    fits(budi, step)
    fits(sari, step)


def test_two_officers_morning_with_fifteen_visitors(browser, office):
    live = office
    empty_queue(live)
    labels = [t["label"] for t in morning(live)]
    assert labels[:3] == ["A-001", "B-001", "C-001"] and len(labels) == 15
    budi = open_counter(browser, live, "budi", "1", viewport=LAPTOP)
    sari = open_counter(browser, live, "sari", "2", viewport=LAPTOP)
    try:
        expect(budi.locator("#hint")).to_have_text("Tekan N untuk memanggil pengunjung berikutnya.")
        line_is_true(budi, live, 1)
        line_is_true(sari, live, 2)
        both_fit(budi, sari, "01-pagi")

        # budi calls A-001 and recalls it twice: three calls, the SOP's limit; Panggil ulang is off then
        budi.click("#btn-call-next")
        expect(budi.locator("#t-label")).to_have_text("A-001")
        expect(budi.locator("#t-calls")).to_have_text("panggilan 1 dari 3")
        for n in (2, 3):
            budi.click("#btn-recall")
            expect(budi.locator("#notice")).to_have_text(f"A-001 dipanggil ulang ({n} dari 3).")
            expect(budi.locator("#t-calls")).to_have_text(f"panggilan {n} dari 3")
        expect(budi.locator("#btn-recall")).to_be_disabled()
        expect(budi.locator("#btn-skip")).to_be_enabled()
        expect(budi.locator("#hint")).to_have_text("Sudah 3 kali dipanggil: Lewati (S) atau Panggil berikutnya (N).")
        state = staff_state(live)
        assert (ticket(state, "A-001")["status"], ticket(state, "A-001")["calls"]) == ("called", 3)
        budi.keyboard.press("r")  # a fourth call is not given
        expect(budi.locator("#t-calls")).to_have_text("panggilan 3 dari 3")
        fits(budi, "02-tiga-panggilan")

        # N after the third call: A-001 skipped and requeued right behind C-001, the one called now; it is the
        # counter's next call, and the page's line says so in the server's order
        budi.click("#btn-call-next")
        expect(budi.locator("#notice")).to_have_text("A-001 dilewati; C-001 dipanggil.")
        expect(budi.locator("#t-label")).to_have_text("C-001")
        state = line_is_true(budi, live, 1)
        skipped, called = ticket(state, "A-001"), ticket(state, "C-001")
        assert skipped["status"] == "waiting" and skipped["requeues"] == 1
        later = [t["position"] for t in state["tickets"] if t["position"] > called["position"] and t is not skipped]
        assert called["position"] < skipped["position"] < min(later), (skipped, called)
        assert counter(state, 1)["next"]["label"] == "A-001"
        requeued = budi.locator('#line li[data-label="A-001"]')
        expect(requeued).to_have_class("next")
        expect(requeued).to_contain_text("Berikutnya")
        expect(requeued).to_contain_text("dilewati, dipanggil lagi")
        line_is_true(sari, live, 2)
        both_fit(budi, sari, "03-dilewati")

        # sari serves B-001: Selesai without an answer is refused in Indonesian under the field, nothing lost
        expect(sari.locator("#line li.next")).to_have_attribute("data-label", "B-001")
        sari.click("#btn-call-next")
        expect(sari.locator("#t-label")).to_have_text("B-001")
        sari.click("#btn-start")
        expect(sari.locator("#t-status")).to_have_attribute("data-status", "serving")
        expect(sari.locator("#solution")).to_be_focused()
        sari.keyboard.press("Control+Enter")
        expect(sari.locator("#notice")).to_have_text("Formulir belum lengkap atau ada isian yang salah.")
        expect(sari.locator("#outcome")).to_contain_text("Wajib diisi.")
        assert ticket(staff_state(live), "B-001")["status"] == "serving"
        fits(sari, "04-jawaban-kosong")
        answer = "Kode RUP belum diumumkan di SIRUP; PPK diminta mengumumkan paket di SIRUP lalu menyinkronkan ulang."
        sari.fill("#solution", answer)
        sari.select_option("#category", "pertanyaan")
        sari.keyboard.press("Control+Enter")
        expect(sari.locator("#notice")).to_have_text("B-001 selesai.")
        expect(sari.locator("#btn-print-form")).to_contain_text("Cetak salinan formulir B-001")
        done = today(live, "B-001")
        assert (done["status"], done["solution"], done["category"]) == ("resolved", answer, "pertanyaan")

        # budi escalates C-001 to LKPP: without the analysis refused, with it recorded
        budi.click("#btn-start")
        expect(budi.locator("#t-status")).to_have_attribute("data-status", "serving")
        budi.click("#btn-escalate")
        expect(budi.locator("#notice")).to_have_text("Formulir belum lengkap atau ada isian yang salah.")
        expect(budi.locator("#outcome")).to_contain_text("Wajib diisi.")
        fits(budi, "05-eskalasi-kosong")
        analysis = "Akun penyedia terkunci di sisi LKPP; perlu pengecekan log verifikasi oleh Helpdesk LKPP."
        budi.fill("#note", analysis)
        budi.click("#btn-escalate")
        expect(budi.locator("#notice")).to_contain_text("C-001 dieskalasi")
        escalated = today(live, "C-001")
        assert (escalated["status"], escalated["escalation_note"]) == ("escalated", analysis)
        fits(budi, "06-dieskalasi")

        # sari's next is A-001, skipped at Loket 1 (right behind C-001, before A-002 and B-002): she calls it, it
        # belongs to Registrasi (C), and she sends it there with what she wrote; it waits ahead of C's line
        state = line_is_true(sari, live, 2)
        assert counter(state, 2)["next"]["label"] == "A-001"
        sari.click("#btn-call-next")
        expect(sari.locator("#t-label")).to_have_text("A-001")
        expect(sari.locator("#t-calls")).to_contain_text("panggilan 1 dari 3")
        sari.click("#btn-start")
        expect(sari.locator("#t-status")).to_have_attribute("data-status", "serving")
        expect(sari.locator("#btn-transfer")).to_be_disabled()  # no service chosen yet
        note = "Akun belum terverifikasi; perlu verifikasi dokumen di layanan Registrasi."
        sari.fill("#solution", note)
        sari.select_option("#transfer-service", "C")
        sari.click("#btn-transfer")
        expect(sari.locator("#notice")).to_have_text("A-001 dialihkan ke layanan Registrasi & Verifikasi Akun.")
        state = line_is_true(budi, live, 1)
        moved = ticket(state, "A-001")
        assert (moved["status"], moved["service"], moved["transferred_from"]) == ("waiting", "C", "A")
        assert moved["transfer_note"] == note
        c_line = [t for t in state["tickets"] if t["status"] == "waiting" and t["service"] == "C"]
        assert min(c_line, key=lambda t: t["position"])["label"] == "A-001"
        expect(budi.locator('#line section[data-service="C"] li').first).to_contain_text("dialihkan dari A")
        both_fit(budi, sari, "07-dialihkan")

        # sari's break: no call (N does nothing), the server and budi's page say Loket 2 is on a break
        sari.click("#btn-pause")
        expect(sari.locator("#btn-pause")).to_contain_text("Lanjut")
        expect(sari.locator("#hint")).to_contain_text("Loket sedang istirahat")
        expect(sari.locator("#btn-call-next")).to_be_disabled()
        assert counter(staff_state(live), 2)["paused"] is True
        sari.keyboard.press("n")
        expect(sari.locator("#t-label")).to_have_text("—")
        fits(sari, "08-istirahat")
        sari.click("#btn-pause")
        expect(sari.locator("#btn-pause")).to_contain_text("Istirahat")
        expect(sari.locator("#btn-call-next")).to_be_enabled()
        assert counter(staff_state(live), 2)["paused"] is False

        # both press Panggil berikutnya at the same moment: two different visitors, each page showing its own,
        # as the server has them, and no refusal on either
        for page in (budi, sari):
            page.evaluate("() => { window.__press = () => document.getElementById('btn-call-next').click(); }")
        budi.evaluate("() => __press()")
        sari.evaluate("() => __press()")
        for page in (budi, sari):
            expect(page.locator("#t-status")).to_have_attribute("data-status", "called")
        state = staff_state(live)
        held = {c["id"]: c["ticket"]["label"] for c in state["counters"] if c["ticket"]}
        assert held[1] != held[2], held
        expect(budi.locator("#t-label")).to_have_text(held[1])
        expect(sari.locator("#t-label")).to_have_text(held[2])
        expect(budi.locator("#notice")).to_have_text(f"{held[1]} dipanggil.")
        expect(sari.locator("#notice")).to_have_text(f"{held[2]} dipanggil.")
        line_is_true(budi, live, 1)
        line_is_true(sari, live, 2)
        both_fit(budi, sari, "09-bersamaan")

        # budi's visitor sits down; he writes, the page reloads (a bumped cable, F5): the same visitor, what he
        # wrote and chose, the timer going on
        budi.click("#btn-start")
        expect(budi.locator("#t-status")).to_have_attribute("data-status", "serving")
        budi.fill("#solution", "Sedang dicek bersama pengunjung: dokumen penawaran diunggah ulang.")
        budi.fill("#note", "Catatan awal untuk LKPP bila gagal lagi.")
        budi.select_option("#category", "konsultasi")
        expect(budi.locator("#draft-state")).to_contain_text("Tersimpan di server", timeout=15000)
        budi.reload()
        expect(budi.locator("#live-status")).to_have_attribute("data-state", "on")
        expect(budi.locator("#t-label")).to_have_text(held[1])
        expect(budi.locator("#t-status")).to_have_attribute("data-status", "serving")
        expect(budi.locator("#solution")).to_have_value(
            "Sedang dicek bersama pengunjung: dokumen penawaran diunggah ulang."
        )
        expect(budi.locator("#note")).to_have_value("Catatan awal untuk LKPP bila gagal lagi.")
        expect(budi.locator("#category")).to_have_value("konsultasi")
        expect(budi.locator("#t-timer-text")).to_contain_text("dari 30 menit")
        fits(budi, "10-muat-ulang")

        # sari logs out with her visitor called: the page asks first and says what happens; the visitor goes back
        # to the line at their place, the counter is free; she logs in again through the form
        sari.click("#logout")
        expect(sari.locator("#leave-text")).to_have_text(
            f"{held[2]} sedang dipanggil di Loket 2. Jika keluar, tiket kembali ke antrian di tempatnya."
        )
        fits(sari, "11-keluar")
        sari.click("#leave-confirm")
        expect(sari.locator("#login-form")).to_be_visible()
        state = staff_state(live)
        back = ticket(state, held[2])
        assert (back["status"], back["counter_id"]) == ("waiting", None)
        assert counter(state, 2)["officer"] is None and counter(state, 2)["ticket"] is None
        sari.fill("#login-form [name=username]", "sari")
        sari.fill("#login-form [name=password]", PASSWORD)
        sari.click("#login-form button[type=submit]")
        expect(sari.locator("#officer-name")).to_have_text("sari")
        expect(sari.locator("#live-status")).to_have_attribute("data-state", "on")
        expect(sari.locator("#counter-select")).to_have_value("2")
        expect(sari.locator("#t-label")).to_have_text("—")
        expect(sari.locator("#btn-call-next")).to_be_enabled()
        line_is_true(sari, live, 2)
        fits(sari, "12-masuk-lagi")
    finally:
        budi.context.close()
        sari.context.close()


def test_a_visitor_skipped_by_a_call_is_shown_where_the_server_requeued_them_on_a_slow_network(browser, office):
    """Panggil (a visitor out of turn) or Panggil berikutnya after the third call skips the visitor at the counter and
    requeues them right behind the next ticket. When the answer came before the live events (a slow network, a busy
    PC), the officer's own page kept the skipped visitor at their old place in the line, without *dilewati, dipanggil
    lagi*: A-001 above A-002, while A-002 was marked *Berikutnya* and the server, the TV and the other counters had
    A-002 first. The skip's own event, which has their new place, was dropped as older than the answer. Now the line
    is the server's whichever comes first."""
    live = office
    empty_queue(live)
    first, second, third, fourth = (issue(live, name, "A")["label"] for name in NAMES[:4])  # A-001 … A-004 alone
    page, frames = counter_through(browser, live, SlowFrames)
    try:

        def three_calls(label: str) -> None:
            expect(page.locator("#t-label")).to_have_text(label)
            for n in (2, 3):
                page.keyboard.press("r")
                expect(page.locator("#t-calls")).to_contain_text(f"panggilan {n} dari 3")

        def frames_after_the_answer(press) -> None:
            """`press` answered while the live events wait on the network, then the events."""
            settled(page, live)
            frames.hold = True
            press()
            settled(page, live, frames)

        page.keyboard.press("n")
        three_calls(first)
        frames_after_the_answer(lambda: page.click(f'#line li[data-label="{third}"] button.call'))
        expect(page.locator("#t-label")).to_have_text(third)
        expect(page.locator("#notice")).to_have_text(f"{first} dilewati; {third} dipanggil.")
        state = line_is_true(page, live, 1)  # the second (next), the first right behind it, the fourth
        assert counter(state, 1)["next"]["label"] == second
        order = page.locator('#line section[data-service="A"] li').evaluate_all(
            "items => items.map(li => li.dataset.label)"
        )
        assert order == [second, first, fourth], order
        expect(page.locator(f'#line li[data-label="{first}"]')).to_contain_text("dilewati, dipanggil lagi")

        three_calls(third)
        frames_after_the_answer(lambda: page.keyboard.press("n"))
        expect(page.locator("#notice")).to_have_text(f"{third} dilewati; {second} dipanggil.")
        line_is_true(page, live, 1)  # the first, the third right behind it (both skipped once), the fourth
        expect(page.locator(f'#line li[data-label="{third}"]')).to_contain_text("dilewati, dipanggil lagi")
        fits(page, "13-dilewati-jaringan-lambat")
    finally:
        page.context.close()


def settled(page, live, frames=None) -> None:
    """The page has every live event the server sent up to now (`frames` released first, when given)."""
    seq = staff_state(live)["seq"]
    if frames is not None:
        frames.release()
    page.wait_for_function("(seq) => window.antrianCounter.live.seq() >= seq", arg=seq, polling=20)
