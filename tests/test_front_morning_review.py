"""The front office's morning, walked by its clerk (rina) at the entrance desk on an old PC (1024x768 and 1366x768):
one real server on the real clock (LiveServer), real headless Chromium, two counters calling and serving through
the API meanwhile. Visitors who cannot use the kiosk registered from their paper form (the longest agency, address
and problem of server/data/*.csv), a visitor who chose the wrong service at the kiosk moved to the right one (the
ticket keeping its place there), one who leaves (Batalkan), an elderly visitor (Prioritas), a slip reprinted, the
list of 40+ tickets searched, a refusal and a lost connection keeping what was typed; every waiting row's place
checked against GET /api/tickets. Found on that walk: a search typed as a name is said ("dede", "maruf") found
nothing for the kiosk's "Dédé" or "Ma'ruf"; a ticket moved to another line was said "Data A-002 disimpan." only,
though the slip in the visitor's hand names the old line (and not PRIORITAS)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import requests
from conftest import write_config
from live import LiveServer
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import PASSWORD, counter_actions, fill_front, open_front, resize, staffed

SMALL = {"width": 1024, "height": 768}
LAPTOP = {"width": 1366, "height": 768}
DATA = Path(__file__).resolve().parent.parent / "server" / "data"


def longest(path: Path, column: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return max(csv.DictReader(f), key=lambda row: len(row[column]))


# The paper form of a visitor who cannot use the kiosk: the data's longest agency (with its address) and problem
AGENCY = longest(DATA / "agencies.csv", "name")
PAPER = {
    "name": "Ni Luh Putu Ayu Lestari",
    "agency": AGENCY["name"],
    "address": AGENCY["address"],
    "phone": "0812-3456-7890",
    "problem": longest(DATA / "spse-problems.csv", "problem")["problem"],
}


@pytest.fixture
def office_today(tmp_path):
    """A server of its own for each test (its numbers from A-001), on the real clock."""
    server = staffed(LiveServer(write_config(tmp_path)).start())
    yield server
    server.stop()


def kiosk(live, n: int, names=None) -> list[dict]:
    """`n` numbers taken at the kiosk over the services A, B, C in turn, each visitor with a phone of their own."""
    tickets = []
    for i in range(n):
        name = names[i] if names else f"Pengunjung {i:02d} Santoso"
        r = requests.post(
            live.url + "/api/tickets",
            timeout=5,
            json={"service": "ABC"[i % 3], "name": name, "agency": "CV Maju Bersama", "address": "Jl. Sudirman 1",
                  "phone": f"0857{i:08d}", "problem": "Lupa kata sandi akun SPSE."},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        tickets.append(r.json()["ticket"])
    return tickets


def place_of(live, session, label: str) -> int:
    """`label`'s place in its line, the server's (GET /api/tickets)."""
    tickets = session.get(live.url + "/api/tickets", timeout=5).json()["tickets"]
    return next(x["place"]["position"] for x in tickets if x["label"] == label)


def the_list_is_the_servers(page, live) -> None:
    """Every row of today's list has the server's status, and a waiting one the server's place in its line."""
    rina = live.session("rina", PASSWORD)

    def compare() -> list:
        tickets = {x["label"]: x for x in rina.get(live.url + "/api/tickets", timeout=5).json()["tickets"]}
        rows = page.evaluate(
            """() => [...document.querySelectorAll('#tickets tr[data-label]')].map(tr =>
                 [tr.dataset.label, tr.dataset.status, tr.querySelector('td.place').innerText])"""
        )
        wrong = [] if len(rows) == len(tickets) else [("rows", len(rows), len(tickets))]
        for label, status, place in rows:
            x = tickets[label]
            said = f"ke-{x['place']['position']}" if x["status"] == "waiting" else ""
            if status != x["status"] or (place.split() or [""])[0] != said:
                wrong.append((label, status, place, x["status"], said))
        return wrong

    for _ in range(50):  # the list follows the server's events and its refetch: until it is the server's
        wrong = compare()
        if not wrong:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the list is not the server's: {wrong}")


def test_a_morning_at_the_desk_registers_corrects_cancels_reprints_and_keeps_what_was_typed(browser, office_today):
    """What held on the walk: the paper form's longest texts fit the form at 1024x768, its number is said with the
    server's place; the wrong service corrected keeps the visitor's arrival in the new line; Batalkan, Prioritas and
    Cetak ulang do what they say; the list stays the server's while two counters call and serve; a refused phone and
    a lost connection keep every field typed, the refusal and the loss said in Indonesian."""
    live = office_today
    kiosk(live, 42)
    page = open_front(browser, live, SMALL)
    budi, sari = counter_actions(live, "budi", 1), counter_actions(live, "sari", 2)
    notice = page.locator("#reg-notice")

    fill_front(page, PAPER)
    page.select_option("#r-service", "B")
    for field in ("address", "problem"):  # the textareas show the paper's text whole, to check against it
        assert page.locator(f"#r-{field}").evaluate("e => e.scrollHeight <= e.clientHeight"), field
    page.click("#btn-register")
    expect(notice).to_contain_text("Nomor antrian B-015 diterbitkan (posisi ")
    rina = live.session("rina", PASSWORD)
    place = place_of(live, rina, "B-015")  # the server's, as the list and the visitor's phone say it
    expect(notice).to_have_text(f"Nomor antrian B-015 diterbitkan (posisi {place}).")
    expect(page.locator('#tickets tr[data-label="B-015"] td.place strong')).to_have_text(f"ke-{place}")
    keep_shot(page, "front_morning_registered_1024.png")
    budi("call-next")  # A-001 to Loket 1
    sari("call-next")  # B-001 to Loket 2
    the_list_is_the_servers(page, live)

    # A-002 chose A at the kiosk, came for C: moved, before C-002 who came after them
    page.locator('#tickets tr[data-label="A-002"] [data-act="edit"]').click()
    page.select_option("#r-service", "C")
    page.click("#btn-register")
    expect(page.locator('#tickets tr[data-label="A-002"]')).to_have_attribute("data-group", "s:C")
    line_c = [x["label"] for x in rina.get(live.url + "/api/tickets", timeout=5).json()["tickets"]
              if x["service"] == "C" and x["status"] == "waiting"]  # fmt: skip
    assert line_c[:3] == ["C-001", "A-002", "C-002"], line_c
    the_list_is_the_servers(page, live)

    # B-003 leaves: Batalkan, armed, then confirmed
    cancel = page.locator('#tickets tr[data-label="B-003"] [data-act="cancel"]')
    cancel.click()
    expect(page.locator("#list-notice")).to_have_text("Klik lagi untuk membatalkan B-003")
    cancel.click()
    expect(page.locator("#list-notice")).to_have_text("B-003 dibatalkan.")
    expect(page.locator('#tickets tr[data-label="B-003"] .status')).to_have_text("dibatalkan")

    # an elderly visitor: first in B's line
    fill_front(page, {**PAPER, "name": "Sutrisno", "phone": "0813-9999-0000"})
    page.select_option("#r-service", "B")
    page.check("#r-priority")
    page.click("#btn-register")
    expect(notice).to_have_text("Nomor antrian B-016 diterbitkan (posisi 1).")
    expect(page.locator('#tickets tr[data-label="B-016"] .tag.prio')).to_have_text("P")
    expect(page.locator("#r-priority")).not_to_be_checked()

    # the rows moved up when B-003's reason box closed: a click on the list within a second of that is refused
    # ("Daftar baru saja bergeser"), as after any move; an officer's next click comes after it
    page.wait_for_function("() => antrianFront.settled()", polling=100)
    page.locator('#tickets tr[data-label="A-005"] [data-act="reprint"]').click()
    expect(page.locator("#list-notice")).to_contain_text("Cetak ulang A-005: dikirim ke printer")
    budi("start")
    budi("resolve")
    sari("start")
    sari("resolve")
    sari("call-next")  # the priority B-016 first
    expect(page.locator("#counter-rows tr[data-counter='2']")).to_contain_text("B-016")
    the_list_is_the_servers(page, live)

    page.fill("#ticket-search", "0812 3456 7890")
    expect(page.locator("#tickets tr[data-label]:visible")).to_have_count(1)
    expect(page.locator('#tickets tr[data-label="B-015"]')).to_be_visible()
    page.fill("#ticket-search", "")

    # a phone the server refuses: said under it, in Indonesian, every field kept
    other = {**PAPER, "name": "Made Wibowo", "phone": "12ab"}  # the next paper form, its phone mistyped
    fill_front(page, other)
    page.click("#btn-register")
    expect(page.locator('.field-error[data-field="phone"]')).to_contain_text("Nomor telepon tidak valid")
    expect(notice).to_have_text("Formulir belum lengkap atau ada isian yang salah.")
    for field, value in other.items():
        expect(page.locator(f"#r-{field}")).to_have_value(value)
    keep_shot(page, "front_morning_refused_1024.png")

    # the connection lost while sending: said, kept, and sent once it is back
    page.fill("#r-phone", "0811-2222-3333")
    page.context.set_offline(True)
    page.click("#btn-register")
    expect(notice).to_have_text("Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi.")
    for field, value in {**other, "phone": "0811-2222-3333"}.items():
        expect(page.locator(f"#r-{field}")).to_have_value(value)
    page.context.set_offline(False)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on", timeout=20_000)
    page.click("#btn-register")
    expect(notice).to_contain_text("Nomor antrian B-017 diterbitkan (posisi ")
    expect(notice).to_have_text(f"Nomor antrian B-017 diterbitkan (posisi {place_of(live, rina, 'B-017')}).")
    the_list_is_the_servers(page, live)

    resize(page, LAPTOP)
    box = page.locator("#ticket-box")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth"), "the list is wider than its box at 1366x768"
    keep_shot(page, "front_morning_1366.png")
    page.context.close()


def test_a_name_searched_as_it_is_said_finds_its_accents_and_apostrophes(browser, office_today):
    """A visitor back for their lost number says their name: the clerk typed "dede" for the kiosk's "Dédé Saputra",
    "maruf" for "Ma'ruf Hidayat", and the list said "Tidak ada tiket hari ini yang cocok". Accents, apostrophes
    (typed ' or ’) and a double space no longer stand between the name said and the name written."""
    live = office_today
    names = ["Dédé Saputra", "Ma'ruf Hidayat", "Nu’man  Siregar"] + [f"Pengunjung {i:02d}" for i in range(40)]
    labels = [x["label"] for x in kiosk(live, len(names), names)]
    page = open_front(browser, live, SMALL)
    expect(page.locator("#tickets tr[data-label]")).to_have_count(len(names))
    rows = page.locator("#tickets tr[data-label]:visible")
    for typed, label in (("dede", labels[0]), ("DEDE sap", labels[0]), ("maruf", labels[1]), ("ma’ruf", labels[1]),
                         ("numan siregar", labels[2]), ("Dédé", labels[0])):  # fmt: skip
        page.fill("#ticket-search", typed)
        expect(rows).to_have_count(1)
        expect(rows).to_have_attribute("data-label", label)
        expect(page.locator("#tickets-nomatch")).to_be_hidden()
    page.fill("#ticket-search", "dedi")  # another name: nothing, and said
    expect(rows).to_have_count(0)
    expect(page.locator("#tickets-nomatch")).to_contain_text("Tidak ada tiket hari ini yang cocok dengan “dedi”")
    page.context.close()


def test_a_ticket_moved_to_another_line_says_its_line_and_that_its_slip_needs_a_reprint(browser, office_today):
    """The visitor chose the wrong service at the kiosk, the clerk moved A-002 to C: the page said "Data A-002
    disimpan." and nothing more, though the slip in the visitor's hand names the old service (and the number of
    people ahead there); an elderly visitor's ticket put in the priority lane, the same (the slip says no
    PRIORITAS). It says the new line and to reprint, in both languages; a correction of the phone only is said as
    before."""
    live = office_today
    kiosk(live, 6)
    page = open_front(browser, live, SMALL)
    notice = page.locator("#reg-notice")
    page.locator('#tickets tr[data-label="A-002"] [data-act="edit"]').click()
    page.select_option("#r-service", "C")
    page.click("#btn-register")
    expect(notice).to_have_text(
        "Data A-002 disimpan: kini di antrian C · Registrasi & Verifikasi Akun. Slip di tangan pengunjung masih "
        "menyebut antrian lama: tekan Cetak ulang untuk slip yang benar."
    )
    keep_shot(page, "front_morning_moved_1024.png")
    page.locator('#tickets tr[data-label="B-001"] [data-act="edit"]').click()
    page.check("#r-priority")
    page.click("#btn-register")
    expect(notice).to_contain_text("Data B-001 disimpan: kini di antrian B · Konsultasi Non-Penyedia (PPK/Pokja/PP), "
                                   "jalur prioritas. Slip di tangan")  # fmt: skip
    page.click("#lang-toggle")
    expect(notice).to_contain_text("B-001's details saved: now in line B · ")
    expect(notice).to_contain_text(", priority lane. The slip in the visitor's hand still names the old line")
    page.click("#lang-toggle")
    page.locator('#tickets tr[data-label="C-001"] [data-act="edit"]').click()
    page.fill("#r-phone", "0813-1111-2222")
    page.click("#btn-register")
    expect(notice).to_have_text("Data C-001 disimpan.")
    page.context.close()
