"""A visitor's day at the kiosk, as a vendor or an official lives it: taps as they come, a real server and a
real Chromium (touches through its own touch input), the number on the screen until it was seen."""

from __future__ import annotations

import pytest
from conftest import hold_first, until_on_page, write_config
from kioskui import NARROW, PORTRAIT, TICKET_DONE_GUARD_MS, fill_fast, kiosk_pages
from live import LiveServer
from pageclock import PING_NUMBERS, run_clock_for
from playwright.sync_api import expect

from server.i18n import t as word

FORM = {
    "name": "Budi Santoso",
    "agency": "CV Maju Bersama",
    "address": "Jl. Sudirman No. 12",
    "phone": "081234567890",
    "problem": "Lupa kata sandi akun penyedia SPSE",
}
# the upright screens where Selesai lies under Ambil nomor antrian (kiosk.css; not at 800x1280)
UPRIGHT = [("portrait", PORTRAIT), *(n for n in NARROW if n[0] != "portrait-800")]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """conftest's `live`, pinging every quarter second (pageclock.PING_NUMBERS): a kiosk's clock is moved on in steps within
    the socket's heartbeat, each just after a ping (run_clock_for)."""
    server = LiveServer(write_config(tmp_path_factory.mktemp("live")), numbers=PING_NUMBERS)
    yield server.start()
    server.stop()


@pytest.fixture
def kiosk(browser, live):
    """Open the kiosk page at a viewport, Playwright's clock installed (the real pace until a test moves it)."""
    with kiosk_pages(browser, live, clock=True) as open_kiosk:
        yield open_kiosk


def to_review(page) -> None:
    page.click("#start")
    page.click('[data-service="A"]')
    fill_fast(page, FORM)
    page.click("#to-review")
    expect(page.locator("#screen-review")).to_be_visible()


_HITS_DONE_JS = """([x, y]) => {
  const hit = document.elementFromPoint(x, y);
  return !!(hit && hit.closest('#screen-ticket [data-action=home]'));
}"""


@pytest.mark.parametrize("name, viewport", UPRIGHT)
def test_a_second_tap_on_ambil_nomor_antrian_leaves_the_number_on_the_screen(kiosk, name, viewport):
    """Upright, Selesai is drawn where Ambil nomor antrian was. A visitor who taps that button once more a moment
    later (to be sure, or as the server answered) pressed Selesai: the ticket screen went at once, number, QR code
    and a failed print's notice with it, before the visitor had read any of it. The double-tap guard drops only
    the second tap of a double tap; a tap of its own went through."""
    page = kiosk(viewport)
    to_review(page)
    box = page.locator("#submit").bounding_box()
    spot = (box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)  # where a finger lands as often as not
    page.mouse.click(*spot)  # the first press: the number is issued
    expect(page.locator("#screen-ticket")).to_be_visible()
    label = page.locator("#ticket-label").inner_text()
    assert page.evaluate(_HITS_DONE_JS, list(spot)), f"{name}: Selesai is not under Ambil nomor antrian"

    page.touchscreen.tap(*spot)  # the second: a tap of its own, where Selesai now is

    assert page.evaluate("document.body.dataset.current") == "ticket", f"{name}: the ticket went at the second tap"
    expect(page.locator("#ticket-label")).to_have_text(label)
    # Selesai still ends the visit once the number can have been seen
    page.clock.fast_forward(TICKET_DONE_GUARD_MS)
    page.touchscreen.tap(*spot)
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(page.locator("#ticket-label")).to_have_text("")


def test_the_idle_reset_waits_for_a_number_on_its_way(kiosk):
    """With an idle time under the submit's 15 s (SUBMIT_TIMEOUT_MS; [kiosk] idle_seconds may be 10), the idle
    reset went while the server's answer was on its way: the number was issued, the kiosk back at the welcome
    screen, and the answer dropped. Its number was called and nobody came."""
    page = kiosk(query="?idle=12", clock="paused")  # moved on only by the test: a busy machine's seconds not added
    held = hold_first(page, "**/api/tickets")  # the server issues it; its answer is slow on the way back
    to_review(page)
    page.click("#submit")
    until_on_page(page, lambda: held, "the number asked for")
    # past the idle time, within SUBMIT_TIMEOUT_MS; in steps within the socket's heartbeat (14 s at once passed it: the
    # connection dropped under the number on its way, and the kiosk went offline 2 s later)
    run_clock_for(page, 14_000, fast_forward=True)

    assert page.evaluate("document.body.dataset.current") == "review", "the kiosk reset under a number on its way"
    assert page.evaluate("[antrianKiosk.live, antrianKiosk.offline]") == [True, False]
    expect(page.locator("#idle-warning")).to_be_hidden()
    route, answer = held[0]
    assert answer.status == 201
    route.fulfill(response=answer)
    expect(page.locator("#screen-ticket")).to_be_visible()
    expect(page.locator("#ticket-label")).to_have_text(answer.json()["ticket"]["label"])
    assert page.evaluate("antrianKiosk.resetIn") == 12  # the ticket screen goes back by itself, as ever


def test_take_your_slip_names_the_number(kiosk):
    """A slip printed late lies in the tray: "Ambil tiket kertas Anda" alone sent the next visitor to take
    whichever slip was there. The hint names the visitor's own number, in either language."""
    page = kiosk()
    to_review(page)
    page.click("#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()
    label = page.locator("#ticket-label").inner_text()
    hint = page.locator("#ticket-hint")
    expect(page.locator("#screen-ticket")).to_have_attribute("data-print", "printed")
    expect(hint).to_have_text(word("kiosk.hint_paper", "id", label=label))
    expect(hint).to_contain_text(label)
    page.click("#lang-toggle")
    expect(hint).to_have_text(word("kiosk.hint_paper", "en", label=label))
    expect(hint).to_contain_text(label)


_QR_SHOWN_JS = "() => { const i = document.getElementById('ticket-qr'); return i.complete && i.naturalWidth > 0; }"


def test_a_qr_code_that_did_not_load_is_loaded_again(kiosk):
    """The ticket's QR code asked for while the server restarts: the image failed and was never asked for again,
    and the visitor had no code to scan. It is asked for again, a few times."""
    page = kiosk()
    refused: list[str] = []

    def qr(route):
        if len(refused) >= 2:
            route.continue_()
        else:  # the server down for a moment: the first ask, and one more (a re-render of the ticket asked again)
            refused.append(route.request.url)
            route.abort("connectionrefused")

    page.route("**/kiosk/qr.svg?*", qr)
    to_review(page)
    page.click("#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()
    until_on_page(page, lambda: len(refused) == 2, "the QR code asked for twice", timeout=15)
    page.wait_for_function(_QR_SHOWN_JS, polling=100, timeout=15_000)
    assert page.evaluate("document.body.dataset.current") == "ticket"


def test_a_network_error_under_the_offline_bar_says_what_to_do(kiosk, tmp_path):
    """The server gone as a visitor touches "Ambil nomor antrian": the refusal said to touch that button again,
    while the offline bar had disabled it. Offline, it says the button comes back with the connection (the form
    kept); back online, to touch it again, and the number comes."""
    server = LiveServer(write_config(tmp_path)).start()
    try:
        page = kiosk(server=server)
        page.wait_for_function("() => antrianKiosk.live", polling=50)
        to_review(page)
        server.stop()
        page.click("#submit")
        expect(page.locator("#offline-notice")).to_be_visible()
        expect(page.locator("#submit")).to_be_disabled()
        error = page.locator("#submit-error")
        expect(error).to_have_text(word("kiosk.network_error_offline", "id"))
        expect(error).not_to_contain_text("Sentuh")
        page.click("#lang-toggle")
        expect(error).to_have_text(word("kiosk.network_error_offline", "en"))
        page.click("#lang-toggle")

        server.start()
        expect(page.locator("#offline-notice")).to_be_hidden(timeout=20_000)
        expect(page.locator("#submit")).to_be_enabled()
        expect(error).to_have_text(word("kiosk.network_error", "id"))
        page.click("#submit")
        expect(page.locator("#screen-ticket")).to_be_visible()
    finally:
        server.stop()
