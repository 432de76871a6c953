"""Two small things people saw, on a real server in real Chromium.

- The counter page: a visitor's long problem showed 4 lines at 1366x768 (3 at 1280x720) and scrolled inside its box,
  and where no scroll bar is drawn nothing said that its end ("... batas waktu paket tinggal dua hari lagi.") was
  hidden. Now its last line fades and "▼ Selengkapnya" at its end scrolls the rest into view; nothing moves, every
  button stays on a 1366x768, 1280x720 and 1024x768 screen.
- The kiosk: the priority toggle just tapped read grey on a dimmed blue (Chromium's tap highlight, drawn over the
  button until the next touch elsewhere), and Ubah and "Memproses…" (Ambil nomor antrian) while the number is on
  its way were drawn at opacity .6: 3.5:1. Measured here in the pixels drawn, as a visitor sees them.
Screenshots for a person to look at are kept with ANTRIAN_SHOTS (tests/shots.py)."""

from __future__ import annotations

import io
import time
from collections import Counter

import pytest
import requests
from kioskui import PORTRAIT, SMALL, kiosk_pages, tap
from PIL import Image
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import empty_queue, open_counter, resize, staffed
from test_counter_officer_day import SCREENS, TRIED, fits
from test_counter_transfer_note import transferred
from test_kiosk_visitor_review import SUBMITTING, VISITOR, fill_by_script, to_form

LONG_PROBLEM = "Tidak bisa mengunggah dokumen penawaran karena ukuran berkas melebihi batas unggah." + TRIED
LAST_WORDS = "batas waktu paket tinggal dua hari lagi."
MORE = "Selengkapnya"


@pytest.fixture(scope="module")
def office(live):
    return staffed(live)


def take(live, name: str, problem: str, phone: str) -> dict:
    r = requests.post(
        live.url + "/api/tickets",
        timeout=5,
        json={
            "service": "A",
            "name": name,
            "agency": "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Contoh",
            "address": "Jl. Jenderal Sudirman No. 12, Kecamatan Kota",
            "phone": phone,
            "problem": problem,
            "priority": False,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


# Where the problem's box is, what of it is scrolled, and whether its last words are inside what it shows.
PROBLEM_JS = """(last) => {
  const dd = document.getElementById('f-problem');
  const box = dd.getBoundingClientRect();
  const text = [...dd.childNodes].filter((n) => n.nodeType === 3).pop();
  const range = document.createRange();
  const at = text.textContent.lastIndexOf(last);
  range.setStart(text, at); range.setEnd(text, at + last.length);
  const words = range.getBoundingClientRect();
  return { scrollHeight: dd.scrollHeight, clientHeight: dd.clientHeight, scrollTop: dd.scrollTop,
           top: box.top, bottom: box.bottom, left: box.left, right: box.right,
           lastShown: words.top >= box.top - 0.5 && words.bottom <= box.bottom + 0.5 };
}"""


def test_a_long_problem_says_there_is_more_and_shows_it(browser, office):
    live = office
    empty_queue(live)
    take(live, "Raden Mas Bagus Prasetyo Wicaksono Adinegoro", LONG_PROBLEM, "081234561001")
    take(live, "Siti Aminah", "Lupa kata sandi akun penyedia.", "081234561002")
    page = open_counter(browser, live, "budi", "1")
    more = page.locator("#problem-more")
    try:
        page.click("#btn-call-next")
        expect(page.locator("#t-label")).to_have_text("A-001")
        for step in ("called", "serving"):
            for screen in SCREENS:
                resize(page, screen)
                shown = page.evaluate(PROBLEM_JS, LAST_WORDS)
                # the problem is longer than its box at each of these screens: its end is below it
                assert shown["scrollHeight"] > shown["clientHeight"] + 10, (screen, shown)
                assert not shown["lastShown"] and shown["scrollTop"] == 0, (screen, shown)
                # ... and the box says so, at its last line's end, inside the box and on the screen
                expect(more).to_be_visible()
                expect(more).to_have_text(MORE)
                sign = more.bounding_box()
                assert shown["left"] <= sign["x"] and sign["x"] + sign["width"] <= shown["right"] + 0.5, (sign, shown)
                assert shown["top"] <= sign["y"] and sign["y"] + sign["height"] <= shown["bottom"] + 0.5, (sign, shown)
                assert sign["y"] + sign["height"] <= screen["height"], (screen, sign)
                keep_shot(page, f"problem-{step}-{screen['width']}x{screen['height']}.png")
                # a press (or two, at 1280x720's three lines) shows the rest: its last words inside the box, the
                # sign gone with nothing more below
                for _ in range(5):
                    if not more.is_visible():
                        break
                    more.click()
                shown = page.evaluate(PROBLEM_JS, LAST_WORDS)
                assert shown["lastShown"], (screen, shown)
                expect(more).to_be_hidden()
                keep_shot(page, f"problem-{step}-{screen['width']}x{screen['height']}-end.png")
                # scrolled back up (the wheel), the sign is back
                page.locator("#f-problem").evaluate("dd => { dd.scrollTop = 0; }")
                expect(more).to_be_visible()
            # nothing moved for it: the page does not scroll and every button is whole on each screen
            fits(page, f"signs-{step}")
            if step == "called":
                page.click("#btn-start")
                expect(page.locator("#t-status")).to_have_attribute("data-status", "serving")

        # a problem that fits its box: no sign
        page.fill("#solution", "Berkas dikompres lalu diunggah ulang.")
        page.click("#btn-resolve")
        page.click("#btn-call-next")
        expect(page.locator("#t-label")).to_have_text("A-002")
        expect(page.locator("#f-problem")).to_have_text("Lupa kata sandi akun penyedia.")
        for screen in SCREENS:
            resize(page, screen)
            expect(more).to_be_hidden()
    finally:
        page.context.close()


def test_a_transferred_visitors_long_problem_says_so_beside_the_note(browser, office):
    """The longest visitor's form sent on from another service with the longest note: the problem's box spans the
    address's row and the note's (counter.css), and the sign stands at its last line, not at the foot of that room."""
    live = office
    ticket = transferred(live)
    page = open_counter(browser, live, "budi", "1")
    more = page.locator("#problem-more")
    try:
        page.keyboard.press("n")
        expect(page.locator("#t-label")).to_have_text(ticket["label"])
        expect(page.locator("#f-transfer-box")).to_be_visible()
        for screen in SCREENS:
            resize(page, screen)
            expect(more).to_be_visible()
            box, sign = page.locator("#f-problem").bounding_box(), more.bounding_box()
            assert abs(sign["y"] + sign["height"] - (box["y"] + box["height"])) <= 1, (screen, sign, box)
            keep_shot(page, f"problem-transferred-{screen['width']}x{screen['height']}.png")
        fits(page, "signs-transferred")
    finally:
        page.context.close()


def luminance(c) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])


def contrast(a, b) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def drawn(locator, inset: int = 8) -> tuple[tuple, tuple]:
    """The colours a button is drawn in, as the screen shows it: its ground (the commonest pixel inside its border)
    and its words' ink (the commonest pixel of another lightness: the glyphs' inside, not their edges)."""
    image = Image.open(io.BytesIO(locator.screenshot(animations="disabled"))).convert("RGB")
    image = image.crop((inset, inset, image.width - inset, image.height - inset))
    counts = Counter(image.get_flattened_data()).most_common()
    ground = counts[0][0]
    ink = next(colour for colour, _ in counts[1:] if contrast(colour, ground) >= 1.5)
    return ground, ink


def css_colours(locator) -> tuple[tuple, tuple]:
    """The button's own background and text colours (getComputedStyle), as RGB."""
    return tuple(
        tuple(int(x) for x in value[value.index("(") + 1 : -1].split(",")[:3])
        for value in locator.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    )


@pytest.fixture
def kiosk(browser, live):
    with kiosk_pages(browser, live) as open_kiosk:
        yield open_kiosk


@pytest.mark.parametrize("viewport", [PORTRAIT, SMALL], ids=["portrait", "small"])
def test_kiosk_toggles_just_tapped_read_in_their_own_colours(kiosk, viewport):
    page = kiosk(viewport)
    to_form(page, "id", "A")
    toggles = {"#priority": page.locator("#priority"), "[data-category]": page.locator("[data-category]").first}
    for name, toggle in toggles.items():
        tap(page, name)
        expect(toggle).to_have_attribute("aria-pressed", "true")
        # right after the finger left (nothing touched since): drawn as chosen, white on the kiosk's blue, not
        # under Chromium's grey see-through tap highlight ((209,209,209) on (9,50,118) before, fading out)
        highlight = toggle.evaluate("b => getComputedStyle(b).webkitTapHighlightColor")
        assert highlight == "rgba(0, 0, 0, 0)", (name, highlight)
        ground, ink = drawn(toggle)
        assert (ground, ink) == css_colours(toggle) == ((11, 61, 145), (255, 255, 255)), (name, ground, ink)
        assert contrast(ground, ink) >= 4.5, (name, ground, ink)
        keep_shot(page, f"kiosk-toggles-{viewport['width']}x{viewport['height']}.png")
    # not chosen: the kiosk's blue on white
    tap(page, "#priority")
    expect(toggles["#priority"]).to_have_attribute("aria-pressed", "false")
    ground, ink = drawn(toggles["#priority"])
    assert (ground, ink) == ((255, 255, 255), (11, 61, 145)), (ground, ink)
    for button in ("#screen-form .btn-secondary", "#to-review"):
        ground, ink = drawn(page.locator(button))
        assert contrast(ground, ink) >= 4.5, (button, ground, ink)


@pytest.mark.parametrize("viewport", [PORTRAIT, SMALL], ids=["portrait", "small"])
def test_kiosk_buttons_that_are_off_still_read_from_a_step_away(kiosk, viewport):
    page = kiosk(viewport)
    held = []
    page.route("**/api/tickets", lambda route: held.append(route))  # the number on its way, never issued here
    to_form(page, "id", "C")
    for key, text in VISITOR.items():
        tap(page, f"#f-{key}")
        fill_by_script(page, key, text)
    tap(page, "#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
    for button in ("#review-edit", "#submit"):  # on: the kiosk's blue and white
        ground, ink = drawn(page.locator(button))
        assert contrast(ground, ink) >= 4.5, (button, ground, ink)
    tap(page, "#submit")
    expect(page.locator("#submit")).to_have_text(SUBMITTING["id"])
    deadline = time.monotonic() + 10
    while not held:
        assert time.monotonic() < deadline, "the kiosk sent no request"
        page.wait_for_timeout(20)
    # Ubah and "Memproses…" are off meanwhile: the words on them still 4.5:1 and more (3.5:1 at opacity .6)
    for button in ("#review-edit", "#submit"):
        expect(page.locator(button)).to_be_disabled()
        ground, ink = drawn(page.locator(button))
        assert contrast(ground, ink) >= 4.5, (button, ground, ink, round(contrast(ground, ink), 2))
    # ... and look off: not the blue of a button that takes a touch
    assert drawn(page.locator("#submit"))[0] != (11, 61, 145)
    assert drawn(page.locator("#review-edit"))[1] != (11, 61, 145)
    keep_shot(page, f"kiosk-review-off-{viewport['width']}x{viewport['height']}.png")
    held[0].abort()
