"""The front office's list of today's tickets (/counter/front): nothing moves under the pointer, the waiting
in calling order per service with each one's place and wait (the server's), the finished ones after a
reload, a search, a busy day at 1366x768, and the service hours."""

from __future__ import annotations

import math
import os
import re
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests
from conftest import office_zone, write_config
from live import ClockedServer
from pageclock import CALM_NUMBERS, PING_NUMBERS, install_clock, pause_clock, run_clock_for
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import PASSWORD, sign_in

VIEWPORT = {"width": 1366, "height": 768}
# after the day's service hours with nobody at a counter (the status view's `no_service`): the hours line and the
# warning above the issue button
OVER_LINE = re.compile(
    r"^Layanan hari ini sudah selesai\. Minta pengunjung baru mengambil nomor mulai .* 08\.00 WIB\.$"
)
OVER = "Tidak ada petugas di loket: nomor yang menunggu tidak dipanggil hari ini ({n} menunggu di A)."
SHOTS = Path(os.environ.get("ANTRIAN_SHOT_DIR", Path(__file__).resolve().parent.parent / "docs" / "screenshots"))
# 08:00-10:00 every day, the kiosk stopping 30 minutes before: the clock starts at 09:00 (tests/clockserver.py)
HOURS = (
    "\n[hours]\n"
    + "".join(
        f'{d} = "08:00-10:00"\n' for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
    + "last_ticket_minutes = 30\n"
)


# the same with a lunch break: 08:00-10:00 and 11:00-13:00, the kiosk stopping 30 minutes before each range's end
BREAK_HOURS = HOURS.replace('"08:00-10:00"', '"08:00-10:00, 11:00-13:00"')


def start(tmp, hours=HOURS, **kw):
    server = ClockedServer(write_config(tmp, extra=hours), dated=True, **kw).start()
    for name, role in (("rina", "frontoffice"), ("budi", "officer"), ("kepala", "admin")):
        server.add_user(name, role)
    return server


@pytest.fixture
def live(tmp_path):
    # pings every quarter second (PING_NUMBERS): the holds' tests move the page's clock on in steps within the heartbeat, each
    # just after a ping (pageclock.run_clock_for); 25 s at once dropped the live connection (its 7 + 7 s passed on
    # the page's clock), and the reconnect redrew the page under the test's look at the held rows
    server = start(tmp_path, numbers=PING_NUMBERS)
    yield server
    server.stop()


def open_front(browser, live):
    page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
    return sign_in(page, live, "/counter/front", "rina")


def kiosk(live, name: str, service: str = "A", priority: bool = False) -> dict:
    r = requests.post(
        live.url + "/api/tickets",
        timeout=5,
        json={"service": service, "name": name, "agency": "CV Maju", "address": "Jl. Sudirman 1",
              "phone": "081234567890", "problem": "Lupa kata sandi.", "priority": priority},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def wait_text(seconds: int) -> str:
    """front.js waitText, in Indonesian."""
    minutes = math.ceil(seconds / 60)
    if minutes < 1:
        return "segera"
    if minutes < 60:
        return f"± {minutes} menit"
    return f"± {minutes // 60} jam {minutes % 60} menit" if minutes % 60 else f"± {minutes // 60} jam"


def test_rows_stay_under_the_pointer_and_the_armed_cancel_names_its_ticket(browser, live):
    """The review's case: the pointer on A-002's Batalkan when the kiosk issues a ticket that goes in above it
    (a priority one). The rows stay; the change waits behind "1 perubahan baru"; two clicks cancel A-002."""
    tickets = [kiosk(live, f"Tamu {i}") for i in range(1, 6)]
    page = open_front(browser, live)
    aim = tickets[1]["label"]
    button = page.locator(f"#tickets tr[data-label='{aim}'] [data-act=cancel]")
    expect(button).to_be_visible()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    new = kiosk(live, "Ibu Lansia", priority=True)  # called first: its row's place is at the top of A's line
    expect(page.locator("#list-pending")).to_have_text("1 perubahan baru — tampilkan")
    assert (
        page.evaluate(
            f"document.querySelector(`#tickets tr[data-label='{aim}'] [data-act=cancel]`).getBoundingClientRect().y"
        )
        == box["y"]
    )  # nothing moved under the pointer
    expect(page.locator(f"#tickets tr[data-label='{new['label']}']")).to_have_count(0)
    row_top = f"document.querySelector(`#tickets tr[data-label='{aim}']`).getBoundingClientRect().y"
    before = page.evaluate(row_top)
    page.mouse.click(x, y)
    # armed, naming its ticket, in the width it had
    expect(button).to_have_attribute("aria-label", f"Klik lagi untuk membatalkan {aim}")
    expect(page.locator("#list-notice")).to_have_text(f"Klik lagi untuk membatalkan {aim}")
    assert page.evaluate(f"document.elementFromPoint({x}, {y}).closest('button').getAttribute('aria-label')") == (
        f"Klik lagi untuk membatalkan {aim}"
    )
    page.mouse.click(x, y)
    expect(page.locator("#list-notice")).to_have_text(f"{aim} dibatalkan.")
    # what the click did is seen where it was done, the pointer still there: the row reads "dibatalkan" in its
    # place (it goes to the finished ones when the hold ends), nothing moved
    expect(page.locator(f"#tickets tr[data-label='{aim}'] .status")).to_have_text("dibatalkan")
    expect(page.locator("#list-pending")).to_be_visible()
    assert page.evaluate(row_top) == before  # the cancelled row where it was
    state = live.session("rina", PASSWORD).get(live.url + "/api/tickets", timeout=5).json()
    assert {t["label"]: t["status"] for t in state["tickets"]}[aim] == "cancelled"
    assert [t["status"] for t in state["tickets"]].count("cancelled") == 1
    # The pointer leaves: the held changes are drawn, the priority ticket first in A's line.
    page.mouse.move(5, 5)
    expect(page.locator("#list-pending")).to_be_hidden()
    rows = page.locator("#tickets tr[data-label][data-group='s:A']")
    expect(rows.first).to_have_attribute("data-label", new["label"])
    # The pending button applies them at once, with the pointer still over the list (from the keyboard).
    page.mouse.move(x, y)
    top = page.locator("#ticket-box").bounding_box()["y"]
    later = kiosk(live, "Tamu 6")
    expect(page.locator("#list-pending")).to_be_visible()
    assert page.locator("#ticket-box").bounding_box()["y"] == top  # the button moved nothing down
    page.locator("#list-pending").press("Enter")
    expect(page.locator(f"#tickets tr[data-label='{later['label']}']")).to_have_count(1)
    page.context.close()


def test_the_armed_cancel_and_its_notice_follow_the_language_switch(browser, live):
    """Armed, Batalkan and the notice under the list say "Klik lagi untuk membatalkan A-002"; the language switched,
    both say it in English (the button's text too), and back; an armed cancel ends after 4 s in the language it was
    switched to, and what a cancel did ("A-002 dibatalkan.") is said again in the new language."""
    kiosk(live, "Tamu 1")
    aim = kiosk(live, "Tamu 2")["label"]
    page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
    install_clock(page)
    sign_in(page, live, "/counter/front", "rina")
    # the page's time stands still (a slow machine's steps never outlast the 4 s arming); moved on below, each step
    # just after a ping (run_clock_for): the 8.2 s of them had passed the heartbeat's 1 + 7 s since the last ping
    pause_clock(page)
    button = page.locator(f"#tickets tr[data-label='{aim}'] [data-act=cancel]")
    shown = button.locator(".stack > span:not(.off)")  # the word the button shows (the other one keeps its width)
    notice = page.locator("#list-notice")
    button.click()  # armed in Indonesian
    expect(notice).to_have_text(f"Klik lagi untuk membatalkan {aim}")
    expect(button).to_have_attribute("aria-label", f"Klik lagi untuk membatalkan {aim}")
    page.click("#lang-toggle")
    expect(notice).to_have_text(f"Click again to cancel {aim}")
    expect(notice).to_have_attribute("data-kind", "warn")
    expect(button).to_have_attribute("aria-label", f"Click again to cancel {aim}")
    expect(shown).to_have_text("Click again")
    page.click("#lang-toggle")
    expect(notice).to_have_text(f"Klik lagi untuk membatalkan {aim}")
    expect(button).to_have_attribute("aria-label", f"Klik lagi untuk membatalkan {aim}")
    expect(shown).to_have_text("Klik lagi")
    run_clock_for(page, 3900)
    expect(notice).to_have_text(f"Klik lagi untuk membatalkan {aim}")
    run_clock_for(page, 200)
    expect(notice).to_be_empty()  # not confirmed within 4 s: disarmed, the notice gone
    expect(shown).to_have_text("Batalkan")

    page.click("#lang-toggle")  # armed in English, the language switched back meanwhile: still gone after 4 s
    button.click()
    expect(notice).to_have_text(f"Click again to cancel {aim}")
    page.click("#lang-toggle")
    expect(notice).to_have_text(f"Klik lagi untuk membatalkan {aim}")
    run_clock_for(page, 4100)
    expect(notice).to_be_empty()
    expect(button).not_to_have_attribute("aria-label", re.compile("."))

    button.click()
    button.click()  # confirmed
    expect(notice).to_have_text(f"{aim} dibatalkan.")
    expect(notice).to_have_attribute("data-kind", "info")
    page.click("#lang-toggle")
    expect(notice).to_have_text(f"{aim} cancelled.")
    expect(notice).to_have_attribute("data-kind", "info")
    page.click("#lang-toggle")
    expect(notice).to_have_text(f"{aim} dibatalkan.")
    page.context.close()


def test_waiting_tickets_in_calling_order_per_service_with_the_servers_place_and_wait(browser, live):
    a1 = kiosk(live, "Agus")
    b1 = kiosk(live, "Bayu", service="B")
    a2 = kiosk(live, "Citra")
    prio = kiosk(live, "Dewi", priority=True)
    page = open_front(browser, live)
    rows = page.locator("#tickets tr[data-label][data-group='s:A']")
    expect(rows).to_have_count(3)
    assert [rows.nth(i).get_attribute("data-label") for i in range(3)] == [prio["label"], a1["label"], a2["label"]]
    heading = page.locator("#tickets tr.group[data-group='s:A']")
    expect(heading).to_contain_text("3 menunggu")
    services = requests.get(live.url + "/api/state", timeout=5).json()["services"]
    new_a = next(s for s in services if s["code"] == "A")["estimated_wait_s"]
    expect(heading).to_contain_text(f"nomor baru menunggu {wait_text(new_a)}")
    # each one's place and wait are what its visitor's phone says
    for ticket in (prio, a1, a2, b1):
        phone = requests.get(f"{live.url}/api/tickets/{ticket['token']}", timeout=5).json()["ticket"]
        cell = page.locator(f"#tickets tr[data-label='{ticket['label']}'] td.place")
        expect(cell).to_have_text(f"ke-{phone['position']} {wait_text(phone['estimated_wait_s'])}")
    # A call moves everyone behind it up, without a reload.
    r = live.session("budi", PASSWORD).post(f"{live.url}/api/counters/1/call-next", json={}, timeout=5)
    assert r.status_code == 200, r.text
    expect(page.locator("#tickets tr[data-label][data-group='counter']")).to_have_count(1)
    phone = requests.get(f"{live.url}/api/tickets/{a2['token']}", timeout=5).json()["ticket"]
    expect(page.locator(f"#tickets tr[data-label='{a2['label']}'] td.place")).to_have_text(
        f"ke-{phone['position']} {wait_text(phone['estimated_wait_s'])}"
    )
    expect(page.locator("#tickets tr.group[data-group='s:A']")).to_contain_text("2 menunggu")
    page.context.close()


def test_finished_tickets_come_back_after_a_reload_and_the_search_finds_one(browser, live):
    done = kiosk(live, "Eko Prasetyo")
    gone = kiosk(live, "Fitri Handayani")
    kiosk(live, "Gilang Ramadhan")
    budi = live.session("budi", PASSWORD)
    for action in ("call-next", "start", "resolve"):
        r = budi.post(f"{live.url}/api/counters/1/{action}", json={"solution": "Selesai."}, timeout=5)
        assert r.status_code == 200, r.text
    r = live.session("rina", PASSWORD).post(f"{live.url}/api/tickets/{gone['token']}/cancel", json={}, timeout=5)
    assert r.status_code == 200, r.text
    page = open_front(browser, live)  # opened after both finished: they were never seen live here
    finished = page.locator("#tickets tr[data-label][data-group='done']")
    expect(finished).to_have_count(2)
    expect(page.locator(f"#tickets tr[data-label='{done['label']}'] [data-act=form]")).to_have_attribute(
        "href", f"/counter/form/{done['token']}"
    )
    page.reload()
    expect(finished).to_have_count(2)
    page.fill("#ticket-search", "fitri")
    expect(page.locator("#tickets tr[data-label]:visible")).to_have_count(1)
    expect(page.locator("#tickets tr[data-label]:visible")).to_have_attribute("data-label", gone["label"])
    page.fill("#ticket-search", done["label"].lower())
    expect(page.locator("#tickets tr[data-label]:visible")).to_have_attribute("data-label", done["label"])
    page.fill("#ticket-search", "")
    expect(page.locator("#tickets tr[data-label]:visible")).to_have_count(3)
    page.context.close()


def test_a_busy_day_keeps_the_form_on_screen_and_the_list_scrolls_in_its_box(browser, live):
    for i in range(35):
        kiosk(live, f"Pengunjung {i + 1}", service="ABC"[i % 3])
    page = open_front(browser, live)
    expect(page.locator("#tickets tr[data-label]")).to_have_count(35)
    assert page.evaluate("document.scrollingElement.scrollHeight") <= VIEWPORT["height"]  # the page does not scroll
    box = page.locator("#ticket-box")
    assert box.evaluate("b => b.scrollHeight > b.clientHeight")  # the list does, in its box
    box.evaluate("b => { b.scrollTop = b.scrollHeight; }")
    last = page.locator("#tickets tr[data-label]").last
    expect(last).to_be_in_viewport()
    for sel in ("#r-name", "#btn-register"):
        expect(page.locator(sel)).to_be_in_viewport()
        assert page.locator(sel).bounding_box()["y"] + page.locator(sel).bounding_box()["height"] <= VIEWPORT["height"]
    box.evaluate("b => { b.scrollTop = 0; }")
    if os.environ.get("ANTRIAN_SCREENSHOTS"):
        page.screenshot(path=str(SHOTS / "front-office-busy.png"))
    page.context.close()


# The page's reads of its list (GET /api/tickets), counted in window.__listReads: added before the page loads.
LIST_READS = """(() => {
  const fetch = window.fetch;
  window.__listReads = 0;
  window.fetch = function (path, options) {
    if (path === "/api/tickets" && (!options || options.method === "GET")) window.__listReads += 1;
    return fetch.apply(this, arguments);
  };
})()"""


def read_at_the_minute(page) -> int:
    """The page's clock (paused) moved on a second at a time up to its list's fetch of each minute: the page's reads
    of its list then (LIST_READS)."""
    before = page.evaluate("__listReads")
    for _ in range(61):
        page.clock.run_for(1000)
        reads = page.evaluate("__listReads")
        if reads > before:
            return reads
    raise AssertionError("no fetch of the list within a minute of the page's clock")


def test_the_service_hours_the_late_warning_and_a_page_left_open_overnight(browser, tmp_path):
    # its own server, never pinging (CALM_NUMBERS): the page's clock is paused and moved on by half a minute at once
    live = start(tmp_path, tick=0.1, numbers=CALM_NUMBERS)
    try:
        for i in range(10):
            kiosk(live, f"Sore {i + 1}")
        page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
        install_clock(page)
        page.add_init_script(LIST_READS)
        sign_in(page, live, "/counter/front", "rina")
        budi = live.session("budi", PASSWORD)  # an officer's reads of the list, signed in at no counter
        line, warn = page.locator("#hours-line"), page.locator("#hours-warn")
        expect(line).to_have_text("Kios memberi nomor s.d. 09.30 · layanan tutup 10.00 WIB")
        # ten waiting, two counters serving A, 15 minutes each: a new A number waits about 75 minutes, past the
        # service's end at 10.00 (eight made it exactly 10.00 at 09.00: a tie the page's clock decided, and a
        # full run lost it now and then)
        expect(warn).to_contain_text("lewat jam tutup 10.00 WIB.")
        live.advance(31 * 60)  # 09:31: the kiosk has stopped, the counters serve until 10.00
        expect(line).to_have_text("Kios sudah berhenti memberi nomor · layanan tutup 10.00 WIB")
        expect(warn).to_contain_text("(10 menunggu): lewat jam tutup 10.00 WIB.")
        place = page.locator("#tickets tr[data-label='A-010'] td.place")
        # 10:00, nobody at a counter: the service ends with no event (the kiosk's stop came at 09.30). The page read
        # its list again at most a minute later: until then it said "nomor dari sini tetap dipanggil hari ini" and
        # "ke-10 ± 1 jam 15 menit". The list says when the hours end, counted from its answer, and the page reads it
        # again a second after that, on its own clock (paused: its list's fetch of each minute comes only as the test
        # moves it).
        pause_clock(page)
        told = budi.get(f"{live.url}/api/tickets", timeout=5)
        now = parsedate_to_datetime(told.headers["Date"]).astimezone(office_zone())  # the server's clock (dated)
        ends_in = (now.replace(hour=10, minute=0, second=0) - now).total_seconds()
        live.advance(ends_in - 30)  # 09:59:30
        reads = read_at_the_minute(page)  # the list's fetch of each minute, about 30 s before the end
        page.wait_for_function("() => antrianApi.inFlight() === 0", polling=20)
        expect(place).to_have_text(re.compile(r"^ke-10 ± .*(menit|jam)$"))
        live.advance(35)  # 10:00:05 on the server's clock
        page.clock.run_for(32_000)  # and 32 s on the page's, the next fetch of each minute 28 s or more away
        expect(warn).to_have_text(OVER.format(n=10))
        expect(line).to_have_text(OVER_LINE)
        expect(place).to_have_text("ke-10 tidak dipanggil hari ini")  # not "± 1 jam 15 menit"
        expect(page.locator("#tickets tr.group[data-group='s:A']")).not_to_contain_text("nomor baru menunggu")
        assert page.evaluate("__listReads") == reads + 1  # one read: its own at the hours' end
        keep_shot(page, "front-hours-ended.png")
        assert ends_in - 1 <= told.json()["office"]["service_ends_in_s"] <= ends_in + 1, told.json()["office"]
        assert budi.get(f"{live.url}/api/tickets", timeout=5).json()["office"]["service_ends_in_s"] is None  # over
        page.clock.resume()
        r = budi.post(f"{live.url}/api/counters/1/resume", json={}, timeout=5)  # budi back at Loket 1
        assert r.status_code == 200, r.text
        still = "Kios sudah berhenti memberi nomor; nomor dari sini tetap dipanggil hari ini (10 menunggu di A)."
        expect(warn).to_have_text(still)  # an officer finishing the line: called today
        expect(place).to_have_text(re.compile(r"^ke-10 ± .*(menit|jam)$"))
        page.reload()
        expect(line).to_contain_text("Di luar jam layanan")
        expect(warn).to_have_text(still)
        r = budi.post(f"{live.url}/api/counters/1/release", json={}, timeout=5)  # and he signs out, live
        assert r.status_code == 200, r.text
        expect(warn).to_have_text(OVER.format(n=10))
        expect(line).to_have_text(OVER_LINE)
        expect(place).to_have_text("ke-10 tidak dipanggil hari ini")
        keep_shot(page, "front-after-hours.png")
        page.click("#lang-toggle")
        expect(warn).to_have_text("No officer is at a counter: waiting numbers are not called today (10 waiting in A).")
        expect(line).to_have_text(
            re.compile(r"^Today's service has ended\. Tell a visitor who comes now to take a number from ")
        )
        expect(place).to_have_text("#10 not called today")
        keep_shot(page, "front-after-hours-en.png")
        page.click("#lang-toggle")
        expect(page.locator("#tickets tr[data-label]")).to_have_count(10)
        live.next_day()  # the page stays open overnight: yesterday's numbers are not today's
        expect(page.locator("#tickets tr[data-label]")).to_have_count(0)
        expect(page.locator("#tickets-empty")).to_be_visible()
        page.context.close()
    finally:
        live.stop()


def test_a_lunch_break_is_read_at_its_start_not_a_minute_later(browser, tmp_path):
    # its own server, never pinging (CALM_NUMBERS): the page's clock is paused and moved on by half a minute at once
    live = start(tmp_path, hours=BREAK_HOURS, tick=0.1, numbers=CALM_NUMBERS)
    try:
        for i in range(10):
            kiosk(live, f"Siang {i + 1}")
        page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
        install_clock(page)
        page.add_init_script(LIST_READS)
        sign_in(page, live, "/counter/front", "rina")
        budi = live.session("budi", PASSWORD)  # an officer's reads of the list, signed in at no counter
        line, warn = page.locator("#hours-line"), page.locator("#hours-warn")
        place = page.locator("#tickets tr[data-label='A-010'] td.place")
        expect(line).to_have_text("Kios memberi nomor s.d. 09.30 · layanan tutup 10.00 WIB")
        live.advance(31 * 60)  # 09:31: the kiosk has stopped for the break, the counters serve until 10.00
        expect(line).to_have_text("Kios sudah berhenti memberi nomor · layanan tutup 10.00 WIB")
        expect(warn).to_contain_text("(10 menunggu): lewat jam tutup 10.00 WIB.")
        # 10:00, the break's start: no event says it (the kiosk's stop came at 09.30, the afternoon's opening is
        # office_opened at 11.00). The page read its list again at its fetch of each minute: until then, up to a
        # minute into the break, it said "layanan tutup 10.00" and a new number's wait "lewat jam tutup 10.00", not
        # that the kiosk opens again at 11.00. The list says when the range ends, and the page reads it then.
        pause_clock(page)
        told = budi.get(f"{live.url}/api/tickets", timeout=5)
        now = parsedate_to_datetime(told.headers["Date"]).astimezone(office_zone())  # the server's clock (dated)
        ends_in = (now.replace(hour=10, minute=0, second=0) - now).total_seconds()
        office = told.json()["office"]
        assert ends_in - 1 <= office["range_ends_in_s"] <= ends_in + 1, office  # the break's start
        assert ends_in + 3 * 3600 - 1 <= office["service_ends_in_s"] <= ends_in + 3 * 3600 + 1, office  # 13:00
        live.advance(ends_in - 30)  # 09:59:30
        reads = read_at_the_minute(page)  # the list's fetch of each minute, about 30 s before the break
        page.wait_for_function("() => antrianApi.inFlight() === 0", polling=20)
        expect(line).to_have_text("Kios sudah berhenti memberi nomor · layanan tutup 10.00 WIB")
        waits = place.text_content()
        assert re.match(r"^ke-10 ± .*(menit|jam)$", waits), waits
        live.advance(35)  # 10:00:05 on the server's clock
        page.clock.run_for(32_000)  # and 32 s on the page's, the next fetch of each minute 28 s or more away
        expect(line).to_have_text(re.compile(r"^Di luar jam layanan: kios tidak memberi nomor sampai .*11\.00 WIB\.$"))
        expect(warn).to_have_text(
            "Kios sudah berhenti memberi nomor; nomor dari sini tetap dipanggil hari ini (10 menunggu di A)."
        )
        expect(place).to_have_text(waits)  # the afternoon's counters call it: its place and wait stay
        assert page.evaluate("__listReads") == reads + 1  # one read: its own at the break's start
        keep_shot(page, "front-lunch-break.png")
        office = budi.get(f"{live.url}/api/tickets", timeout=5).json()["office"]
        assert office["service_ends_at"] is None and office["no_service"] is None, office
        assert 3 * 3600 - 10 <= office["range_ends_in_s"] == office["service_ends_in_s"] <= 3 * 3600, office
        page.click("#lang-toggle")
        expect(line).to_have_text(
            re.compile(r"^Outside the service hours: the kiosk issues no numbers until .*11:00 WIB\.$")
        )
        page.click("#lang-toggle")
        live.advance(3600)  # 11:00:05: the afternoon's opening, an event
        expect(line).to_have_text("Kios memberi nomor s.d. 12.30 · layanan tutup 13.00 WIB")
        page.context.close()
    finally:
        live.stop()


def held_priority_ticket(page, live, aim: str) -> tuple[dict, str]:
    """The kiosk issues a priority ticket, which goes in above `aim` in A's line: returns it and the script
    that reads `aim`'s row's top on the screen."""
    new = kiosk(live, "Ibu Lansia", priority=True)
    expect(page.locator("#list-pending")).to_have_text("1 perubahan baru — tampilkan")
    expect(page.locator(f"#tickets tr[data-label='{new['label']}']")).to_have_count(0)
    return new, f"document.querySelector(`#tickets tr[data-label='{aim}']`).getBoundingClientRect().y"


def test_a_touch_on_the_list_holds_it_for_a_while_on_a_touch_screen(browser, live):
    """A touch screen has no pointer resting over the list: a touch on it holds the rows for 8 s after the
    last touch (the page's clock moved on, not waited for), then what waited is drawn, and a tap within a
    second of the rows moving under the finger is not taken."""
    tickets = [kiosk(live, f"Tamu {i}") for i in range(1, 5)]
    page = browser.new_context(viewport=VIEWPORT, locale="id-ID", has_touch=True).new_page()
    install_clock(page)
    sign_in(page, live, "/counter/front", "rina")
    # the page's time stands still, moved on below only: its clock ran on with the machine's, and a busy machine's
    # steps took the tap past the second after the rows moved (taken, "Klik lagi…"), or the 7 s past the hold's 8
    pause_clock(page)
    aim = tickets[1]["label"]
    expect(page.locator(f"#tickets tr[data-label='{aim}']")).to_be_visible()
    page.locator(f"#tickets tr[data-label='{aim}'] td").first.tap()  # the finger lifted again at once
    new, row_top = held_priority_ticket(page, live, aim)
    before = page.evaluate(row_top)
    run_clock_for(page, 7000)  # still held 7 s after the touch
    assert page.evaluate(row_top) == before
    expect(page.locator("#list-pending")).to_be_visible()
    run_clock_for(page, 1200)  # 8 s passed: drawn, the priority ticket first in A's line
    expect(page.locator("#list-pending")).to_be_hidden()
    rows = page.locator("#tickets tr[data-label][data-group='s:A']")
    expect(rows.first).to_have_attribute("data-label", new["label"])
    assert page.evaluate(row_top) > before
    # the rows just moved under the finger: a tap on a row's Batalkan is not taken
    page.locator(f"#tickets tr[data-label='{aim}'] [data-act=cancel]").tap()
    expect(page.locator("#list-notice")).to_contain_text("bergeser")
    expect(page.locator(f"#tickets tr[data-label='{aim}'] [data-act=cancel]")).not_to_have_attribute(
        "aria-label", f"Klik lagi untuk membatalkan {aim}"
    )
    page.context.close()


def test_a_hold_under_a_resting_mouse_ends_after_30_seconds(browser, tmp_path):
    """A mouse left over the list does not hide the changes for good: after 30 s they are drawn."""
    # its own server, never pinging (CALM_NUMBERS), not the module's `live`: the page's heartbeat is not due however
    # far its clock is moved, so the 31 s are moved in two calls (run_clock_for's eight steps each waited for a ping)
    live = start(tmp_path, numbers=CALM_NUMBERS)
    try:
        tickets = [kiosk(live, f"Tamu {i}") for i in range(1, 5)]
        page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
        install_clock(page)
        sign_in(page, live, "/counter/front", "rina")
        # the page's time stands still but as the test moves it (the hold's 30 s counted on the page's clock alone)
        pause_clock(page)
        aim = tickets[1]["label"]
        row = page.locator(f"#tickets tr[data-label='{aim}'] td").first
        expect(row).to_be_visible()
        box = row.bounding_box()
        page.mouse.move(box["x"] + 5, box["y"] + 5)
        new, row_top = held_priority_ticket(page, live, aim)
        before = page.evaluate(row_top)
        page.clock.run_for(25000)
        assert page.evaluate(row_top) == before
        expect(page.locator("#list-pending")).to_be_visible()
        page.clock.run_for(6000)
        expect(page.locator("#list-pending")).to_be_hidden()
        expect(page.locator("#tickets tr[data-label][data-group='s:A']").first).to_have_attribute(
            "data-label", new["label"]
        )
        page.context.close()
    finally:
        live.stop()
