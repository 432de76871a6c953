"""The wait a visitor's phone tells when nobody will call them today, against a live server on tests/clockserver.py's
clock and a real Chromium phone (360x640).

The estimate counts every counter as working while none is (the rule for the morning before the officers sign in).
At 17.00, the day's service hours over and every officer signed out, the visitors still waiting were told
"Perkiraan waktu tunggu: segera": nobody would call them, and their numbers expire at the day's end. Now the phone
says that today's service has ended (or that there is none today: a holiday) and what to do, with the next opening,
instead of minutes (the status view's `no_service`, docs/api.md). What stays: a break between two ranges of the day
with nobody at a counter, and the morning before the opening (the estimate, minutes); an officer finishing the line
after the hours (the estimate again). Today is a short day ("Friday": 08:00-11:30, 13:30-15:00), tomorrow a holiday.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import requests
from conftest import office_zone, write_config
from live import ClockedServer
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
    extra = f'\n[hours]\n{days}holidays = ["{holiday}"]\n'
    # counters taken through the API, with no counter page open: kept all day, not freed after 10 minutes
    replace = {"counter_release_minutes = 10": "counter_release_minutes = 1440"}
    server = ClockedServer(write_config(tmp_path_factory.mktemp("afterhours"), replace, extra), tick=0.1).start()
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

        def open_phone(ticket: dict) -> None:
            page.goto(f"{office.url}/t/{ticket['token']}")
            page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)

        wait, note = page.locator("#wait"), page.locator("#note")
        counter("resume")  # 09:00: budi at Loket 1
        tickets = [issue(office, f"Tamu {n}") for n in range(1, 4)]
        open_phone(tickets[2])
        expect(page.locator("#position")).to_have_text("Posisi Anda: ke-3 · 2 orang di depan Anda")
        expect(wait).to_have_text(ESTIMATE)

        office.advance(3 * HOUR)  # 12:00, the break between the day's two ranges: budi signs out for it
        counter("release")
        assert status(tickets[2]).get("no_service") is None  # the afternoon's range is to come: the estimate stays
        expect(wait).to_have_text(ESTIMATE)

        office.advance(1.5 * HOUR)  # 13:30
        counter("resume")
        office.advance(1.5 * HOUR + 5 * 60)  # 15:05, the short day's service over: budi still finishes the line
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
