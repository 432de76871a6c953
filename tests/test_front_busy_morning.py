"""The front office on a busy morning: 60 visitors in two hours over three services, four counters, the kiosk
printer out of paper from 09:40. A visitor back for the number they lost gives their name or their phone, written
as they say it (*"+62 813-2222-4444"*); the search of today's tickets found by number, name or agency only, so the
phone found nothing and the list went blank without a word. Now the phone (however written) and a number typed
short (*a8*) find the ticket, its **Cetak ulang** one click away, and a search that finds nothing says so and how
to search. One real server on the tests' clock, the tests' fake network printer (paper out), real Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
from conftest import write_config
from fakeprinter import STATUS_PAPER, FakeNetworkPrinter
from live import ClockedServer
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import counter_actions, open_front

PAPER_OUT = b"\x72"
OFFICERS = ("budi", "sari", "dedi", "ayu")
NAMES = ("Hartono", "Rahayu", "Salim", "Lestari", "Wibowo", "Marlina", "Gunawan", "Wahyuni", "Sutrisno", "Putri")


@pytest.fixture
def kiosk():
    """The kiosk printer on loopback: paper in until the test empties it."""
    printer = FakeNetworkPrinter()
    yield printer
    printer.stop()


@pytest.fixture
def live(tmp_path, kiosk):
    config = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\n'
            f'port = {kiosk.port}\ntimeout = 1\ncheck_status = true\nprofile = "TM-T20II"'
        },
        extra='\n[[counters]]\nid = 4\nname = "Loket 4"\nservices = ["A", "B", "C"]\n',
    )
    server = ClockedServer(config, tick=0.1, dated=True).start()
    server.add_user("rina", "frontoffice")
    for name in OFFICERS:
        server.add_user(name, "officer")
    yield server
    server.stop()


def visitor(live, name: str, service: str, phone: str, priority: bool = False) -> dict:
    """A number taken at the kiosk; the server's ticket."""
    r = requests.post(
        live.url + "/api/tickets",
        timeout=5,
        json={"service": service, "name": name, "agency": f"CV {name.split()[-1]} Jaya", "address": "Jl. Sudirman 1",
              "phone": phone, "problem": "Lupa kata sandi akun SPSE.", "priority": priority},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def shot(page, tmp_path, name: str) -> None:
    """A screenshot of the step, to look at as the front office would (ANTRIAN_SHOT_DIR, else the test's tmp)."""
    keep_shot(page, Path(os.environ.get("ANTRIAN_SHOT_DIR", tmp_path)) / f"busy-{name}.png")


def shown_labels(page) -> list[str]:
    return page.locator("#tickets tr[data-label]:visible").evaluate_all("rows => rows.map(r => r.dataset.label)")


def test_a_visitor_back_for_a_lost_number_is_found_by_phone_and_the_slip_reprinted(browser, live, kiosk, tmp_path):
    """Sumarni (A-008) lost her slip and gives her phone as she says it; the front office types it in the search."""
    tickets = []
    for i in range(60):  # one every two minutes from 09:00; the paper runs out at 09:40
        if i == 20:
            kiosk.answers[STATUS_PAPER] = PAPER_OUT
        service = "ABC"[i % 3]
        if i == 21:
            tickets.append(visitor(live, "Ibu Sumarni", "A", "0813-2222-4444", priority=True))
        else:
            phone = "0857-1111-6200" if i == 34 else f"0812{i:08d}"
            tickets.append(visitor(live, f"Pak {NAMES[i % 10]} {i}", service, phone))
        live.advance(120)
        if i == 3:  # the four counters open and call their first visitor
            for n, officer in enumerate(OFFICERS, start=1):
                counter_actions(live, officer, n)("call-next")
    label = tickets[21]["label"]
    assert label == "A-008"  # the eighth of A (in the priority lane: an elderly visitor)

    page = open_front(browser, live, viewport={"width": 1920, "height": 1080})
    expect(page.locator("#alerts li[data-type=print_failed]")).to_have_count(1)
    search = page.locator("#ticket-search")
    shot(page, tmp_path, "01-list")

    # her phone, written as she says it: found, one row
    for typed in ("+62 813-2222-4444", "0813 2222 4444", "62813", "4444", "(0)813.2222", "2222-4"):
        search.fill(typed)
        expect(page.locator("#tickets tr[data-label]:visible")).to_have_count(1)
        assert shown_labels(page) == [label], typed
        expect(page.locator("#tickets-nomatch")).to_be_hidden()
    # a phone's last digits that start as the country's code does: Pak Wibowo's 0857-1111-6200
    search.fill("6200")
    expect(page.locator("#tickets tr[data-label]:visible")).to_have_count(1)
    expect(page.locator("#tickets tr[data-label]:visible")).to_contain_text("Pak Wibowo 34")
    # the search says it takes a phone
    expect(search).to_have_attribute("placeholder", "Nomor, nama, telepon")
    search.fill("+62 813-2222-4444")
    shot(page, tmp_path, "02-found-by-phone")
    row = page.locator(f'#tickets tr[data-label="{label}"]')
    expect(row).to_contain_text("Ibu Sumarni")
    # one click from the search to her slip again (the paper is out: the server's answer says the job is queued)
    row.locator("button[data-act=reprint]").click()
    expect(page.locator("#list-notice")).to_contain_text(f"Cetak ulang {label}")
    shot(page, tmp_path, "03-reprinted")

    # a number typed short, as it is said: "a8", "A 8", "a-08" are A-008
    for typed in ("a8", "A 8", "a-08", "A-008"):
        search.fill(typed)
        expect(page.locator("#tickets tr[data-label]:visible")).to_have_count(1)
        assert shown_labels(page) == ["A-008"], typed

    # a search finding nothing says so and how to search, in the list's place (it was a blank box)
    search.fill("0899 1234 5678")
    expect(page.locator("#tickets tr[data-label]:visible")).to_have_count(0)
    nomatch = page.locator("#tickets-nomatch")
    expect(nomatch).to_be_visible()
    expect(nomatch).to_have_text(
        "Tidak ada tiket hari ini yang cocok dengan “0899 1234 5678”. "
        "Cari dengan nomor (A-008 atau A8), nama, instansi atau telepon."
    )
    shot(page, tmp_path, "04-no-match")
    page.click("#lang-toggle")  # said again in English
    expect(nomatch).to_have_text(
        "No ticket today matches “0899 1234 5678”. Search by number (A-008 or A8), name, agency or phone."
    )
    search.fill("")
    expect(nomatch).to_be_hidden()
    expect(page.locator("#tickets tr[data-label]:visible")).to_have_count(60)
