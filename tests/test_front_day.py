"""The front office's day, as its clerk lives it (/counter/front; a real clocked server, the kiosk printer a real
ESC/POS printer on TCP loopback, real Chromium): a visitor whose name was typed without a space keeps every
column and button of the day's list in its box; a double click on "Terbitkan nomor antrian" or "Cetak ulang" is
one number, one slip, and the number issued stays said; a session that ends under the clerk's hands goes to the
login saying so, with what the page had just said and the unissued visitor's form kept."""

from __future__ import annotations

import pytest
from conftest import write_config
from fakeprinter import FakeNetworkPrinter
from live import ClockedServer
from playwright.sync_api import expect
from staffpages import PASSWORD, issue, open_front, staffed

VISITOR = {
    "name": "Teguh Santoso",
    "agency": "Dinas PUPR Kabupaten Contoh",
    "address": "Jl. Ahmad Yani No. 7",
    "phone": "0812-3456-7890",
    "problem": "Tidak bisa membuat paket tender baru.",
}


@pytest.fixture(scope="module")
def printer():
    """The kiosk's printer: a network printer on 127.0.0.1, paper loaded."""
    printer = FakeNetworkPrinter()
    yield printer
    printer.stop()


@pytest.fixture
def live(tmp_path, printer):
    """A server of its own for each test (its numbers from A-001), at 09:00 office time."""
    config = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\n'
            f'port = {printer.port}\ntimeout = 1\nprofile = "TM-T20II"'
        },
    )
    server = staffed(ClockedServer(config, dated=True).start())
    yield server
    server.stop()


def fill(page, values: dict) -> None:
    for field, value in values.items():
        page.fill(f"#r-{field}", value)


def jobs(live) -> list[dict]:
    return live.session("kepala", PASSWORD).get(f"{live.url}/api/print-jobs", timeout=5).json()["jobs"]


def double_click(page, locator, between) -> None:
    """A double click on `locator` whose first half's answer came back before its second half: the first click,
    `between()` (waits for that answer), then the second, which the browser counts as a double click's (detail 2)."""
    box = locator.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.up()
    between()
    page.mouse.down(click_count=2)
    page.mouse.up(click_count=2)


def settled(page) -> None:
    """Every request of the page answered and its answer taken (what a second half sent too, if it sent one)."""
    page.wait_for_function("() => antrianApi.inFlight() === 0", polling=20)


def test_a_name_typed_without_spaces_keeps_every_column_and_button_of_the_list_in_its_box(browser, live):
    """One visitor's name and agency of one word each (typed without spaces) widened the name column past the
    list's box at 1366x768: the status, place, counter, time and every row's buttons went off to the right."""
    issue(live, "Pengunjung Biasa")
    r = live.session("rina", PASSWORD).post(
        f"{live.url}/api/tickets",
        timeout=5,
        json={**VISITOR, "name": "ABDULRAHMANWICAKSONOSETIAWANPUTRAPERKASA" * 2,
              "agency": "PT.SEJAHTERA-ABADI-MAKMUR-KONSTRUKSI-NUSANTARA-INDONESIA-RAYA", "service": "A"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    page = open_front(browser, live)
    expect(page.locator("#tickets tr[data-label]")).to_have_count(2)
    box = page.locator("#ticket-box")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth"), "the list is wider than its box"
    right = box.bounding_box()["x"] + box.bounding_box()["width"]
    for label in ("A-001", "A-002"):
        button = page.locator(f'#tickets tr[data-label="{label}"] [data-act="reprint"]')
        edge = button.bounding_box()["x"] + button.bounding_box()["width"]
        assert edge <= right, f"{label}'s Cetak ulang is cut at the box's right edge"
    page.context.close()


def test_a_double_click_issues_one_number_prints_one_slip_and_keeps_saying_the_number(browser, live):
    """The second half of a double click on "Terbitkan nomor antrian", after the number came back and the form
    was emptied, sent the empty form: "Wajib diisi" under every field in place of the number to tell the visitor.
    On "Cetak ulang" it printed a second slip."""
    page = open_front(browser, live)
    fill(page, VISITOR)
    notice = page.locator("#reg-notice")
    double_click(page, page.locator("#btn-register"), lambda: expect(notice).to_contain_text("A-001 diterbitkan"))
    settled(page)
    expect(notice).to_have_text("Nomor antrian A-001 diterbitkan (posisi 1).")
    expect(page.locator(".field-error:not(:empty)")).to_have_count(0)
    expect(page.locator("#r-name")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#tickets tr[data-label]")).to_have_count(1)

    before = len(jobs(live))
    reprint = page.locator('#tickets tr[data-label="A-001"] [data-act="reprint"]')
    said = page.locator("#list-notice")
    double_click(page, reprint, lambda: expect(said).to_contain_text("Cetak ulang A-001"))
    settled(page)
    assert len(jobs(live)) == before + 1, "one reprint, one slip"
    page.context.close()


def test_a_session_that_ends_goes_to_the_login_saying_so_and_keeps_the_number_said_and_the_form(browser, live):
    """The session ended (its cookie gone, as at the end of the working day): the next action reloaded the page to a
    bare login. The number just issued, which the clerk was about to tell the visitor, was gone from the screen,
    nothing said why, and a correction open asked "leave the page?" first."""
    page = open_front(browser, live)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    fill(page, VISITOR)
    page.click("#btn-register")
    expect(page.locator("#reg-notice")).to_have_text("Nomor antrian A-001 diterbitkan (posisi 1).")
    fill(page, {"name": "Rahmat Hidayat", "agency": "CV Sinar Jaya"})  # the next visitor, half typed

    page.context.clear_cookies()
    page.click('#tickets tr[data-label="A-001"] [data-act="reprint"]')
    error = page.locator("#login-error")
    expect(error).to_have_text(
        "Sesi Anda sudah berakhir. Masuk lagi untuk melanjutkan. Sebelumnya: Nomor antrian A-001 diterbitkan "
        "(posisi 1). Isian pengunjung yang belum diterbitkan masih ada."
    )
    page.fill("#login-form [name=username]", "rina")
    page.fill("#login-form [name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    expect(page.locator("#reg-notice")).to_have_text("Nomor antrian A-001 diterbitkan (posisi 1).")
    expect(page.locator("#r-name")).to_have_value("Rahmat Hidayat")
    expect(page.locator("#r-agency")).to_have_value("CV Sinar Jaya")

    # A correction open, not saved, when the session ends: said lost, without the browser's question first.
    page.click('#tickets tr[data-label="A-001"] [data-act="edit"]')
    page.fill("#r-phone", "0813-1111-2222")
    page.context.clear_cookies()
    page.click("#btn-register")  # "Simpan perubahan A-001"
    expect(error).to_have_text(
        "Sesi Anda sudah berakhir. Masuk lagi untuk melanjutkan. Perubahan data A-001 belum tersimpan: ulangi "
        "setelah masuk. Isian pengunjung yang belum diterbitkan masih ada."
    )
    assert dialogs == []
    page.fill("#login-form [name=username]", "rina")
    page.fill("#login-form [name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#reg-notice")).to_have_text("Perubahan data A-001 belum tersimpan: ulangi setelah masuk.")
    expect(page.locator("#r-name")).to_have_value("Rahmat Hidayat")
    expect(page.locator("#r-phone")).to_have_value("")
    page.context.close()


def test_the_days_list_is_drawn_at_once_when_the_page_opens_under_a_resting_pointer(browser, live):
    """The login's button lies over the ticket list at 1366x768: the pointer resting there as the page opened held
    the whole day's list back for 30 s (an empty table and "N perubahan baru — tampilkan"), as if rows moved under
    it. An empty list has no row to move: its tickets are drawn as they come."""
    for name in ("Satu", "Dua", "Tiga"):
        issue(live, name)
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
    held: list = []  # the day's tickets (the list, the socket's snapshot) come once the pointer rests over the list
    holding = [True]

    def stall(route):
        if holding[0]:
            held.append(route)
        else:
            route.continue_()

    for pattern in ("**/api/tickets", "**/socket.io/**"):
        page.route(pattern, stall)
    answer = page.context.request.post(live.url + "/api/login", data={"username": "rina", "password": PASSWORD})
    assert answer.ok, answer.text()
    page.goto(live.url + "/counter/front")
    expect(page.locator("#officer-name")).to_have_text("rina")
    box = page.locator("#ticket-box").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    holding[0] = False
    for route in held:
        route.continue_()
    expect(page.locator("#tickets tr[data-label]")).to_have_count(3)
    expect(page.locator("#list-pending")).to_be_hidden()
    page.context.close()
