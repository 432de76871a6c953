"""The on-screen keys take every tap of a visitor who types fast, right after a screen change too.

kiosk.js drops a double tap's second tap (its click counts 2) for a moment after a screen change: the finger's
second tap on the last screen's button is not meant for the new screen's button under it. Two quick taps on the
new screen's keys make such a click too (Chromium counts them as a double tap: the same key, or one close by,
within its double-tap time): the second was dropped, a letter lost, though both taps were on this screen. Real
Chromium touches (page.touchscreen.tap); the page's clock is paused (Playwright's), so
the moment after the change lasts however slow the machine.
"""

from __future__ import annotations

import pytest
from kioskui import Keys, kiosk_pages
from playwright.sync_api import expect

COUNTS_JS = """() => { window.__counts = [];
  window.addEventListener('click', e => { if (e.target.dataset.key) window.__counts.push(e.detail); }, true); }"""


@pytest.fixture
def kiosk(browser, live):
    with kiosk_pages(browser, live, clock="paused") as open_kiosk:
        yield open_kiosk


def test_two_quick_taps_on_the_keys_just_after_the_form_appears_type_both(kiosk):
    page = kiosk()
    page.click("#start")  # mouse clicks: no touch before the keys' own
    page.click('[data-service="A"]')
    expect(page.locator("#screen-form")).to_be_visible()
    page.evaluate(COUNTS_JS)
    keys = Keys(page)
    keys.tap("a")
    keys.tap("a")  # "Aa": a double tap of the visitor's own, both taps on the form
    expect(page.locator("#f-name")).to_have_value("Aa")
    assert page.evaluate("window.__counts") == [1, 2]  # Chromium took them for a double tap

    keys.tap("b")  # a key typed after them is typed as ever
    expect(page.locator("#f-name")).to_have_value("Aab")


def test_a_double_tap_begun_on_the_service_button_still_presses_no_key(kiosk):
    """What the drop is for holds: the second tap of a double tap whose first chose the service."""
    page = kiosk()
    page.click("#start")
    expect(page.locator("#screen-service")).to_be_visible()
    page.evaluate(COUNTS_JS)
    button = page.locator('[data-service="A"]').bounding_box()
    x, y = button["x"] + button["width"] / 2, button["y"] + button["height"] / 2
    page.touchscreen.tap(x, y)
    page.touchscreen.tap(x, y)  # the second tap lands on the form, where the service button was
    expect(page.locator("#screen-form")).to_be_visible()
    keys = Keys(page)
    keys.tap("q")  # a tap of its own after them
    expect(page.locator("#f-name")).to_have_value("Q")
