"""A visitor's day at the kiosk, as a vendor or an official lives it: taps as they come, a real server and a
real Chromium (touches through its own touch input), the number on the screen until it was seen."""

from __future__ import annotations

import pytest
from kioskui import NARROW, PORTRAIT, TICKET_DONE_GUARD_MS, fill_fast
from playwright.sync_api import expect

FORM = {
    "name": "Budi Santoso",
    "agency": "CV Maju Bersama",
    "address": "Jl. Sudirman No. 12",
    "phone": "081234567890",
    "problem": "Lupa kata sandi akun penyedia SPSE",
}
# the upright screens where Selesai lies under Ambil nomor antrian (kiosk.css; not at 800x1280)
UPRIGHT = [("portrait", PORTRAIT), *(n for n in NARROW if n[0] != "portrait-800")]


@pytest.fixture
def kiosk(browser, live):
    """Open the kiosk page at a viewport, Playwright's clock installed (the real pace until a test moves it)."""
    pages = []

    def open_kiosk(viewport=PORTRAIT):
        page = browser.new_page(viewport=viewport, has_touch=True)
        pages.append(page)
        page.clock.install()
        page.goto(f"{live.url}/kiosk/")
        expect(page.locator("#screen-welcome")).to_be_visible()
        return page

    yield open_kiosk
    for page in pages:
        page.close()


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
