"""A transferred visitor's note on a 1280x720 laptop, on a real server in Chromium: the officer reads it on the page as
it is, without scrolling the page, in a box that shows two whole lines of it and scrolls by itself.

The note's label ("Dialihkan dari Konsultasi Non-Penyedia (PPK/Pokja/PP) — catatan petugas sebelumnya") ran on into
the note there, in one box of two lines: a called visitor with the longest form and a note of 4,000 characters (the
most an officer may write) showed "Sudah dicek di sisi PPK;" and no more, half a line, before the box scrolled. Now the
label takes one line, cut after the service's name, over two whole lines of the note in its own box; the page still
does not scroll, and Selesai, Eskalasi and Alihkan stay on the screen, while the visitor is called and once served.
"""

from __future__ import annotations

import pytest
import requests
from kioskui import LONGEST
from playwright.sync_api import expect
from staffpages import PASSWORD, counter_page, empty_queue, staffed

from server.forms import LIMITS

NOTE = ("Sudah dicek di sisi PPK; masalahnya di akun penyedia, mohon verifikasi ulang berkasnya. " * 50)[
    : LIMITS["note"]
].strip()
CONTROLS = ["#btn-resolve", "#btn-escalate", "#btn-transfer", "#solution", "#note"]

# The note's text as it is drawn: how much of it is on the screen (the total width of its lines wholly inside its box,
# the transfer's box and the window, against the box's width), and what scrolls.
MEASURE = """() => {
  const dd = document.getElementById('f-transfer-note'), box = document.getElementById('f-transfer-box');
  const dt = document.getElementById('f-transfer-from');
  const r = (e) => e.getBoundingClientRect();
  const clip = [r(dd), r(box), {left: 0, top: 0, right: innerWidth, bottom: innerHeight}];
  const range = document.createRange();
  range.selectNodeContents(dd);
  const lines = [...range.getClientRects()].filter((q) => q.width > 1 && q.height > 1);
  const whole = (q) => clip.every((c) => q.top >= c.top - 0.5 && q.bottom <= c.bottom + 0.5
    && q.left >= c.left - 0.5 && q.right <= c.right + 0.5);
  const shown = lines.filter(whole);
  return {
    shown: shown.reduce((sum, q) => sum + q.width, 0) / r(dd).width, lines: shown.length,
    label: {top: r(dt).top, bottom: r(dt).bottom},
    page: document.scrollingElement.scrollHeight - innerHeight, scrollY,
    scrolls: dd.scrollHeight > dd.clientHeight + 0.5, top: dd.scrollTop,
  };
}"""


@pytest.fixture(scope="module")
def office(live):
    return staffed(live)


def transferred(live) -> dict:
    """A visitor with the longest form, sent from Konsultasi Non-Penyedia (Loket 2, sari) on to Konsultasi Penyedia
    with the longest note an officer may write."""
    empty_queue(live)
    r = requests.post(live.url + "/api/tickets", json={"service": "B", **LONGEST}, timeout=5)
    assert r.status_code == 201, r.text
    ticket = r.json()["ticket"]
    sari = live.session("sari", PASSWORD)
    for action in ("call", "start"):
        r = sari.post(f"{live.url}/api/counters/2/{action}", json={"ticket": ticket["label"]}, timeout=5)
        assert r.status_code == 200, r.text
    r = sari.post(f"{live.url}/api/counters/2/transfer", json={"service": "A", "note": NOTE}, timeout=5)
    assert r.status_code == 200, r.text
    return ticket


def assert_note_readable(page, state: str) -> None:
    page.evaluate("document.fonts.ready")
    m = page.evaluate(MEASURE)
    assert m["page"] <= 0, f"{state}: the page scrolls by {m['page']} px"
    for selector in CONTROLS:
        box = page.locator(selector).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 720, f"{state}: {selector} off the screen: {box}"
    assert m["label"]["top"] >= 0 and m["label"]["bottom"] <= 720, f"{state}: the note's label {m['label']}"
    # two whole lines of the note (its lines' widths add up to most of two of its box's width), not half a line
    assert m["lines"] >= 2 and m["shown"] >= 1.6, (
        f"{state}: {m['lines']} lines of the note, {m['shown']:.2f} box widths"
    )
    assert m["scrolls"], f"{state}: the longest note whole in its box? {m}"
    # the rest is read in the box itself: the mouse's wheel over it scrolls the note, not the page, to its last words
    page.locator("#f-transfer-note").hover()
    page.mouse.wheel(0, 20_000)
    page.wait_for_function(
        "() => { const d = document.getElementById('f-transfer-note');"
        " return d.scrollTop > 0 && d.scrollTop + d.clientHeight >= d.scrollHeight - 1; }",
        polling=50,
    )
    end = page.evaluate(MEASURE)
    assert end["scrollY"] == 0 and end["page"] <= 0, f"{state}: the page moved {end}"
    assert end["lines"] >= 2, f"{state}: at its end {end}"
    page.locator("#f-transfer-note").evaluate("(d) => { d.scrollTop = 0; }")


def test_a_1280x720_laptop_shows_two_whole_lines_of_a_transfer_note_in_a_box_that_scrolls(browser, office):
    live = office
    ticket = transferred(live)
    with counter_page(browser, live, viewport={"width": 1280, "height": 720}) as page:
        page.keyboard.press("n")
        expect(page.locator("#t-label")).to_have_text(ticket["label"])
        expect(page.locator("#t-status")).to_have_attribute("data-status", "called")
        expect(page.locator("#f-transfer-note")).to_contain_text("Sudah dicek di sisi PPK")
        expect(page.locator("#f-transfer-from")).to_contain_text("Dialihkan dari")
        assert_note_readable(page, "called")
        page.keyboard.press("d")
        expect(page.locator("#t-status")).to_have_attribute("data-status", "serving")
        expect(page.locator("#solution")).to_be_focused()
        assert_note_readable(page, "serving")
