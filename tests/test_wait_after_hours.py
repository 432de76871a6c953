"""The wait a visitor's phone tells when nobody will call them today, against a live server on tests/clockserver.py's
clock and a real Chromium phone (360x640).

The estimate counts every counter as working while none is (the rule for the morning before the officers sign in).
At 17.00, the day's service hours over and every officer signed out, the visitors still waiting were told
"Perkiraan waktu tunggu: segera": nobody would call them, and their numbers expire at the day's end. Now the phone
says that today's service has ended (or that there is none today: a holiday) and what to do, with the next opening,
instead of minutes (the status view's `no_service`, docs/api.md). What stays: a break between two ranges of the day
with nobody at a counter, and the morning before the opening (the estimate, minutes); an officer finishing the line
after the hours (the estimate again). Today is a short day ("Friday": 08:00-11:30, 13:30-15:00), tomorrow a holiday;
the kiosk stops 15 minutes before each range's end.

The hours' end sends no event (office_closed is the kiosk's stop, 15 minutes before): a phone whose officer had left
at 14.50 said "segera" all evening. The status view tells it when the hours end (`service_ends_in_s`) and it reads its
ticket once then, on its own clock (tests/pageclock.py; the server never pings, so the page's clock may jump minutes).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import requests
from conftest import office_zone, write_config
from live import ClockedServer
from pageclock import CALM_NUMBERS, install_clock
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import issue

PASSWORD = "rahasia-123"
PHONE = {"width": 360, "height": 640}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HOUR = 3600
ESTIMATE = re.compile(r"^Perkiraan waktu tunggu: (segera|±\s\d+\smenit)$")
ENDED = "Layanan hari ini sudah selesai: nomor Anda tidak dipanggil lagi hari ini."
CLOSED = "Hari ini tidak ada layanan: nomor Anda tidak dipanggil hari ini."
COME_BACK = (
    "Nomor ini hanya berlaku hari ini. Silakan ambil nomor antrian baru di kios atau front office pada jam layanan."
)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    today = datetime.now(office_zone()).date()  # the clock server's day (09:00 of it at the start)
    short = WEEKDAYS[today.weekday()]
    days = "".join(f'{day} = "{"08:00-11:30, 13:30-15:00" if day == short else "08:00-16:00"}"\n' for day in WEEKDAYS)
    holiday = (today + timedelta(days=1)).isoformat()
    extra = f'\n[hours]\n{days}holidays = ["{holiday}"]\nlast_ticket_minutes = 15\n'
    # counters taken through the API, with no counter page open: kept all day, not freed after 10 minutes
    replace = {"counter_release_minutes = 10": "counter_release_minutes = 1440"}
    # never pings (CALM_NUMBERS): the phone's clock is moved on ten minutes in one call
    config = write_config(tmp_path_factory.mktemp("afterhours"), replace, extra)
    server = ClockedServer(config, tick=0.1, numbers=CALM_NUMBERS).start()
    server.add_user("budi", "officer", PASSWORD)
    server.add_user("rina", "frontoffice", PASSWORD)
    server.reopening = when_id(today + timedelta(days=2))
    yield server
    server.stop()


def when_id(day) -> str:
    """The next opening as the phone names it: "Senin, 7 Desember 2026 pukul 08.00 WIB" (its weekday and date)."""
    from shared.dates import day_names, month_names

    return f"{day_names('id')[day.weekday()]}, {day.day} {month_names('id')[day.month - 1]} {day.year} pukul 08.00"


def test_nobody_left_to_call_today_is_said_instead_of_soon(browser, office):
    budi = office.session("budi", PASSWORD)
    rina = office.session("rina", PASSWORD)

    def counter(action: str) -> None:
        """budi takes Loket 1 (a resume claims it) or signs out of it (release)."""
        r = budi.post(f"{office.url}/api/counters/1/{action}", json={}, timeout=5)
        assert r.status_code == 200, r.text

    def register(name: str) -> dict:
        """A visitor registered by the front office (at any hour: the kiosk is closed outside them)."""
        form = {"service": "A", "name": name, "agency": "CV Maju", "address": "Jl. Sudirman 1", "phone": "0812345678"}
        r = rina.post(f"{office.url}/api/tickets", json={**form, "problem": "Lupa kata sandi"}, timeout=5)
        assert r.status_code == 201, r.text
        return r.json()["ticket"]

    def status(ticket: dict) -> dict:
        return requests.get(f"{office.url}/api/tickets/{ticket['token']}", timeout=5).json()["ticket"]

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page = context.new_page()
        install_clock(page)  # the phone's own clock, moved on by the test

        def open_phone(ticket: dict) -> None:
            page.goto(f"{office.url}/t/{ticket['token']}")
            page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)

        wait, note = page.locator("#wait"), page.locator("#note")
        counter("resume")  # 09:00: budi at Loket 1
        tickets = [issue(office, f"Tamu {n}") for n in range(1, 4)]
        open_phone(tickets[2])
        expect(page.locator("#position")).to_have_text("Posisi Anda: ke-3 · 2 orang di depan Anda")
        expect(wait).to_have_text(ESTIMATE)

        # the types of the events the phone hears from now on (window.heard)
        page.evaluate("""() => {
            window.heard = [];
            antrianPhone.socket.on("event", (ev) => heard.push(ev.type));
            antrianPhone.socket.on("events", (evs) => evs.forEach((ev) => heard.push(ev.type)));
        }""")

        def edge(kind: str) -> None:
            """The server's look at the hours (its loop, each 0.1 s) saw the clock's move over an edge of them, and
            the phone heard it: a loaded machine may look later than the clock's next move, and a look that missed
            the break (or the afternoon's opening) saw no change to tell at the next edge."""
            page.wait_for_function("(kind) => heard.includes(kind)", arg=kind, polling=50)
            page.evaluate("() => { heard.length = 0; }")

        office.advance(3 * HOUR)  # 12:00, the break between the day's two ranges: budi signs out for it
        edge("office_closed")
        counter("release")
        assert status(tickets[2]).get("no_service") is None  # the afternoon's range is to come: the estimate stays
        expect(wait).to_have_text(ESTIMATE)

        ends_told = {"12:00": status(tickets[2]).get("service_ends_in_s")}  # 15:00, not the break's 11:30
        office.advance(1.5 * HOUR)  # 13:30
        edge("office_opened")
        counter("resume")
        office.advance(HOUR + 16 * 60)  # 14:46: the kiosk stopped at 14:45, the counters serve until 15.00
        page.wait_for_function("() => heard.includes('office_closed')", polling=50)
        office.advance(4 * 60)  # 14:50: budi leaves before the hours' end, three visitors still waiting
        counter("release")
        seq = requests.get(f"{office.url}/api/state", timeout=5).json()["seq"]
        page.wait_for_function("(seq) => antrianPhone.seq() >= seq", arg=seq, polling=50)  # its read after it
        expect(wait).to_have_text(ESTIMATE)  # before 15.00 the estimate (the rule of the morning before the opening)
        ends_told["14:50"] = status(tickets[2]).get("service_ends_in_s")
        page.evaluate("() => { heard.length = 0; }")
        office.advance(11 * 60)  # 15:01: the short day's service is over, and no event says so
        page.clock.run_for(11 * 60 * 1000)  # on the phone's clock too
        expect(wait).to_have_text(ENDED)  # it said "Perkiraan waktu tunggu: segera" all evening
        expect(note).to_have_text(re.compile("^" + re.escape(COME_BACK) + " Layanan buka kembali "))
        assert page.evaluate("heard") == []  # no event told it: its own read at the hours' end
        keep_shot(page, "phone-hours-ended.png")
        assert 3 * HOUR - 60 < ends_told["12:00"] <= 3 * HOUR, ends_told
        assert 9 * 60 < ends_told["14:50"] <= 10 * 60, ends_told
        assert status(tickets[2]).get("service_ends_in_s") is None  # over: no more reads to come
        counter("resume")  # budi back: he still finishes the line
        expect(wait).to_have_text(ESTIMATE)
        office.advance(4 * 60)  # 15:05, the short day's service over
        assert status(tickets[2]).get("no_service") is None
        expect(wait).to_have_text(ESTIMATE)
        counter("release")  # and leaves, three visitors still waiting
        expect(wait).to_have_text(ENDED)  # it said "Perkiraan waktu tunggu: segera"
        reopens = f" Layanan buka kembali {office.reopening} WIB."  # tomorrow is a holiday
        expect(note).to_have_text(COME_BACK + reopens)
        expect(page.locator("#position")).to_have_text("Posisi Anda: ke-3 · 2 orang di depan Anda")
        told = status(tickets[2])
        assert (told.get("no_service"), told["estimated_wait_s"], told["ahead"]) == ("ended", None, 2), told
        box = note.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], box  # what to do, on the first screen
        keep_shot(page, "phone-after-hours.png")
        lite = requests.get(f"{office.url}/t/{tickets[2]['token']}?lite=1", timeout=5).text
        assert ENDED in lite and COME_BACK in lite and "segera" not in lite
        page.tap("#lang-toggle")
        expect(wait).to_have_text("Today's service has ended: your number will not be called today.")
        expect(note).to_have_text(re.compile(r"^This number is valid today only\. .* opens again on \w+, .* at 08:00"))
        keep_shot(page, "phone-after-hours-en.png")
        page.tap("#lang-toggle")
        counter("resume")  # budi back at Loket 1 to finish the line: the estimate again
        expect(wait).to_have_text(ESTIMATE)
        expect(note).to_have_text(re.compile(r"^Halaman ini diperbarui otomatis\."))
        counter("release")
        expect(wait).to_have_text(ENDED)

        office.advance(18 * HOUR - 10 * 60)  # tomorrow 09:00, a holiday: the front office registers a visitor
        holiday = register("Tamu libur")
        open_phone(holiday)
        expect(wait).to_have_text(CLOSED)
        expect(note).to_have_text(COME_BACK + reopens)
        assert status(holiday).get("no_service") == "closed"
        keep_shot(page, "phone-holiday.png")
        counter("resume")  # an officer at work on the holiday: the estimate
        expect(wait).to_have_text(ESTIMATE)
        counter("release")

        office.advance(22.5 * HOUR)  # the day after, 07:30, before the opening, nobody in yet: the estimate
        early = register("Tamu pagi")
        open_phone(early)
        expect(wait).to_have_text(ESTIMATE)
        assert status(early).get("no_service") is None
    finally:
        context.close()
