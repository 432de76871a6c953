"""The visitor's phone page through a whole visit, played by a vendor who scanned the ticket's QR code with a cheap
Android phone (360x640): waiting ke-5, called, recalled, passed over and called again, served, the survey with the
longest answers and a complaint in it, the office's reply, the page reopened the next day, English. Found by
helper-345's walk: a call on a slow signal named the service by its bare code ("C") under the number until the
read after it came back; the office's reply to a 2,000-character complaint was some ten screens down the page
reopened the next day. A real server process and real Chromium as the phone."""

from __future__ import annotations

import requests
from conftest import until_on_page, visitor, write_config
from live import ClockedServer, LiveServer
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import counter_actions

PHONE = {"width": 360, "height": 640}
SERVICE_C = "Registrasi & Verifikasi Akun"


def issue(server, service: str = "C") -> dict:
    r = requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def open_phone(context, server, token: str, query: str = "", before=None):
    page = context.new_page()
    page.add_init_script("window.__vibrations = []; navigator.vibrate = p => (__vibrations.push(p), true);")
    if before is not None:
        before(page)
    page.goto(f"{server.url}/t/{token}{query}")
    page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
    return page


def slow_reads(page, token: str) -> tuple[list, list]:
    """The page's reads of its ticket held while `slow` holds something (a slow 3G signal: the answer takes
    seconds); (slow, held). The live connection's events come through."""
    slow: list = []
    held: list = []

    def route(r) -> None:
        if slow:
            held.append(r)
        else:
            r.continue_()

    page.route(f"**/api/tickets/{token}?*", route)
    return slow, held


def test_a_call_on_a_slow_signal_says_the_services_name_not_its_code(browser, tmp_path):
    """Waiting ke-5 on the guest Wi-Fi gone slow: the call's event comes first, the read of the ticket seconds later.
    Meanwhile the card under "Silakan menuju Loket 1" said "C" where the service's name was (the event's ticket has
    no name, and the page emptied it at any change of status); at a recall and at the start too. The name stands
    while the service does."""
    server = LiveServer(write_config(tmp_path)).start()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        server.add_user("petugas", "officer")
        officer = counter_actions(server, "petugas")
        ahead = [issue(server) for _ in range(4)]
        mine = issue(server)
        slow, held = [], []

        def before(page) -> None:
            got = slow_reads(page, mine["token"])
            slow.extend([got[0]])
            held.extend([got[1]])

        page = open_phone(context, server, mine["token"], before=before)
        expect(page.locator("#position")).to_have_text("Posisi Anda: ke-5 · 4 orang di depan Anda")
        expect(page.locator("#service")).to_have_text(SERVICE_C)
        keep_shot(page, "phone-waiting-5.png")
        for _ in ahead:
            officer("call-next")
            officer("start")
            officer("resolve")
        expect(page.locator("#position")).to_have_text("Posisi Anda: ke-1 · Tidak ada antrian di depan Anda")
        slow[0].append(True)  # the signal goes slow
        reads = held[0]
        for action, status in (("call-next", "dipanggil"), ("recall", "dipanggil"), ("start", "dilayani")):
            sent = len(reads)
            officer(action)
            expect(page.locator("#status")).to_have_text(status)
            until_on_page(page, lambda n=sent: len(reads) > n, f"the page did not read its ticket after {action}")
            expect(page.locator("#service")).to_have_text(SERVICE_C)  # its read still on its way
        keep_shot(page, "phone-serving-slow.png")
        slow[0].clear()
        for r in reads:
            r.continue_()
        officer("resolve")
        expect(page.locator("#status")).to_have_text("selesai")
        expect(page.locator("#service")).to_have_text(SERVICE_C)
    finally:
        context.close()
        server.stop()


def test_the_offices_reply_comes_before_a_long_complaint_on_the_page_reopened_the_next_day(browser, tmp_path):
    """Served, the vendor answers the survey with the lowest scores and a complaint of 2,000 characters; the office
    replies. Reopened the next day from the slip's QR code, the thanks card showed the visitor's own text first and
    the reply under it, some ten screens down: the reply the visitor came back for now comes first, under the
    thanks, on the screen the card opens at, in both languages; the complaint follows it whole."""
    server = ClockedServer(write_config(tmp_path)).start()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        server.add_user("petugas", "officer")
        server.add_user("kepala", "admin")
        officer = counter_actions(server, "petugas")
        mine = issue(server)
        page = open_phone(context, server, mine["token"])
        officer("call-next")
        officer("start")
        officer("resolve")
        expect(page.locator("#survey-invite")).to_be_visible()
        page.tap("#survey-start")
        for code in ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"):
            page.tap(f'[data-field="answers.{code}"] [data-score="1"]')
        page.tap('[data-field="profile.sex"] [data-code="P"]')
        page.fill("#survey-age", "34")
        page.tap('[data-field="profile.education"] [data-code="s1"]')
        page.tap('[data-field="profile.occupation"] [data-code="swasta"]')
        complaint = ("Petugas meminta uang untuk mempercepat verifikasi akun SPSE perusahaan kami. " * 30)[:2000]
        page.fill("#survey-suggestion", complaint)
        page.tap("#survey-submit")
        expect(page.locator("#survey-done")).to_be_visible()
        response = requests.get(f"{server.url}/api/survey/{mine['token']}", timeout=5).json()["survey"]["response"]
        head = server.session("kepala", "rahasia-123")
        reply = "Terima kasih atas laporan Anda. Kami memeriksanya dan menghubungi Anda dalam 3 hari kerja."
        r = head.post(f"{server.url}/api/complaints/{response['id']}/answer", json={"answer": reply}, timeout=5)
        assert r.status_code == 200, r.text
        expect(page.locator("#survey-reply-text")).to_have_text(reply)
        server.next_day()
        for query, caption in (("", "Tanggapan petugas"), ("?lang=en", "The office's reply")):
            page.goto(f"{server.url}/t/{mine['token']}{query}")
            done = page.locator("#survey-done")
            expect(done).to_be_visible()
            expect(page.locator("#survey-reply-text")).to_have_text(reply)
            expect(page.locator("#survey-reply .caption")).to_have_text(caption)
            expect(page.locator("#survey-own-text")).to_have_text(complaint)  # whole, under the reply
            expect(page.locator("#survey-edit")).to_be_hidden()  # the day is over: no more corrections
            done.evaluate("el => el.scrollIntoView({block: 'start'})")
            top = done.bounding_box()["y"]
            said = page.locator("#survey-reply").bounding_box()
            assert said["y"] + said["height"] <= top + PHONE["height"], (top, said)  # on the card's first screen
            assert said["y"] < page.locator("#survey-own").bounding_box()["y"]
            keep_shot(page, f"phone-next-day{query.replace('?', '-')}.png")
    finally:
        context.close()
        server.stop()
