"""Small things a visitor met, found by the session's reviews.

- The phone page of a visitor passed over, on an old small Android (320x568) or a 360x640 one: after the third call
  and the skip, the note saying so pushed "Posisi Anda: ke-N · M orang di depan Anda" and the wait under the first
  screen, what the visitor most needs then (where they stand now, how long). Both are on the first screen now, in
  Indonesian and English, the note after them.
- The kiosk's *Lanjut* on an incomplete form said "Formulir belum lengkap atau ada isian yang salah." without naming
  the fields: each was marked and the form scrolled to the first, but on a portrait touchscreen the marked fields may
  sit under the keyboard. The summary names them ("Belum diisi: Nama, Nomor telepon"), in the visitor's language.
"""

from __future__ import annotations

import pytest
from conftest import write_config
from kioskui import PORTRAIT, assert_seen, fill_fast, kiosk_pages
from kioskui import SMALL as KIOSK_SMALL
from live import LiveServer
from playwright.sync_api import expect
from shots import keep_shot
from test_kiosk_page import fill
from test_kiosk_visitor_review import to_form
from test_phone_wait_review import PHONE, SMALL, Counters, issue, open_phone

PASSED_OVER = {
    "id": ("Nomor Anda sudah dilewati", "Posisi Anda: ke-2 · 1 orang di depan Anda", "Perkiraan waktu tunggu"),
    "en": ("Your number was passed over", "Your position: 2 · 1 ahead of you", "Estimated wait"),
}


def below_the_screen(page, selector: str, viewport: dict) -> float:
    """How far the bottom of `selector` is below the first screen's bottom (<= 0: on it), the page scrolled to its
    top as it opens."""
    box = page.locator(selector).bounding_box()
    assert box is not None and box["height"] > 0, selector
    return box["y"] + box["height"] - viewport["height"]


@pytest.mark.parametrize("viewport", [SMALL, PHONE], ids=["320x568", "360x640"])
def test_a_visitor_passed_over_sees_their_place_and_wait_on_the_first_screen(browser, tmp_path, viewport):
    """A-001 is called three times and passed over, four visitors after it: back in the line at the second place.
    Its page says where it stands and how long, on the first screen, in Indonesian and in English; the note that it
    was passed over (and called once more, or marked a no-show) is there too, below them."""
    server = LiveServer(write_config(tmp_path)).start()
    context = None
    try:
        act = Counters(server)
        mine = issue(server)
        for _ in range(4):
            issue(server)
        context, page = open_phone(browser, server, mine["token"], viewport, slow=False)
        assert act(1, "call-next")["label"] == mine["label"]
        expect(page.locator("#called-go")).to_be_visible()
        act(1, "recall")
        act(1, "recall")
        expect(page.locator("#called-miss")).to_be_visible()
        act(1, "skip")
        for lang in ("id", "en"):
            if lang == "en":
                page.tap("#lang-toggle")
            note, place, wait = PASSED_OVER[lang]
            expect(page.locator("#skipped")).to_contain_text(note)
            expect(page.locator("#position")).to_have_text(place)
            expect(page.locator("#wait")).to_contain_text(wait)
            page.evaluate("window.scrollTo(0, 0)")
            keep_shot(page, f"passed-over-{viewport['width']}-{lang}.png")
            for selector in ("#position", "#wait"):
                assert below_the_screen(page, selector, viewport) <= 0, (
                    lang,
                    selector,
                    page.locator(selector).bounding_box(),
                )
            # the note is still read, its first line at least on the first screen
            top = page.locator("#skipped").bounding_box()["y"]
            assert top < viewport["height"] - 40, (lang, top)
    finally:
        if context is not None:
            context.close()
        server.stop()


# -- the kiosk's summary of an incomplete form ------------------------------------------------------------------------

LABELS = {
    "id": {
        "name": "Nama",
        "agency": "Instansi / perusahaan",
        "address": "Alamat",
        "phone": "Nomor telepon / HP",
        "problem": "Permasalahan",
    },
    "en": {
        "name": "Name",
        "agency": "Agency / company",
        "address": "Address",
        "phone": "Phone / mobile number",
        "problem": "Problem",
    },
}
MISSING = {"id": "Belum diisi: {}.", "en": "Not filled in: {}."}
WRONG = {"id": "Perlu diperbaiki: {}.", "en": "To correct: {}."}
OTHER = {"id": "en", "en": "id"}


def named(lang: str, missing=(), wrong=()) -> str:
    """The summary as the visitor should read it: the fields left empty, then the ones to correct, by their labels."""
    parts = []
    if missing:
        parts.append(MISSING[lang].format(", ".join(LABELS[lang][k] for k in missing)))
    if wrong:
        parts.append(WRONG[lang].format(", ".join(LABELS[lang][k] for k in wrong)))
    return " ".join(parts)


_SUMMARY_LINES_JS = """() => {
  const el = document.getElementById('form-summary'), range = document.createRange();
  range.selectNodeContents(el);
  return { lines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size,
           overflow: el.scrollWidth - el.clientWidth };
}"""


@pytest.fixture(scope="module")
def kiosk_server(tmp_path_factory):
    server = LiveServer(write_config(tmp_path_factory.mktemp("kiosk"))).start()
    yield server
    server.stop()


@pytest.fixture
def kiosk(browser, kiosk_server):
    with kiosk_pages(browser, kiosk_server) as open_kiosk:
        yield open_kiosk


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("viewport", [PORTRAIT, KIOSK_SMALL], ids=["1080x1920", "1366x768"])
def test_lanjut_on_an_empty_form_names_every_field_left_empty_on_the_screen(kiosk, viewport, lang):
    """Lanjut on an empty form: the summary above it names the five fields, in the visitor's language, whole on the
    screen (upright, the keyboard covering the lower fields, it is what the visitor reads) on two lines at most;
    each field typed leaves the list, and the language toggle turns it."""
    page = kiosk(viewport)
    to_form(page, lang)
    page.click("#to-review")
    summary = page.locator("#form-summary")
    every = ("name", "agency", "address", "phone", "problem")
    expect(summary).to_have_text(named(lang, every))
    expect(page.locator("#e-name")).to_be_visible()
    keep_shot(page, f"kiosk-empty-{viewport['width']}-{lang}.png")
    assert_seen(page, f"summary ({lang}, {viewport})", ("#form-summary",))
    got = page.evaluate(_SUMMARY_LINES_JS)
    assert got["lines"] <= 2 and got["overflow"] <= 0, got
    # Lanjut and Kembali where they were (the form under the summary scrolls, and says so: its other fields are not
    # asked for here)
    assert_seen(page, f"summary ({lang}, {viewport})", ("#to-review",))
    fill(page, name="Ani")
    expect(summary).to_have_text(named(lang, every[1:]))
    page.click("#lang-toggle")
    expect(summary).to_have_text(named(OTHER[lang], every[1:]))
    page.click("#lang-toggle")
    expect(summary).to_have_text(named(lang, every[1:]))


def test_a_phone_to_correct_is_named_apart_from_the_fields_left_empty(kiosk):
    """The phone typed short and the problem left empty: the summary says which is missing and which to correct;
    corrected, the phone leaves it; the problem typed, the summary goes and Lanjut opens the review."""
    page = kiosk(PORTRAIT)
    to_form(page, "id")
    fill_fast(page, {"name": "Ani", "agency": "CV A", "address": "Jl. B", "phone": "08123"})
    page.click("#to-review")
    summary = page.locator("#form-summary")
    expect(summary).to_have_text(named("id", ["problem"], ["phone"]))
    page.click("#lang-toggle")
    expect(summary).to_have_text(named("en", ["problem"], ["phone"]))
    fill(page, phone="45678")
    expect(page.locator("#e-phone")).to_have_text("")
    expect(summary).to_have_text(named("en", ["problem"]))
    fill(page, problem="Tes")
    expect(summary).to_be_hidden()
    page.click("#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
