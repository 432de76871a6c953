"""Visitors at a touchscreen kiosk with no keyboard, played live: taps only (the on-screen keyboard and pads), upright
and on its side, in Indonesian and English, on a server whose kiosk printer is a fake ESC/POS printer on loopback.

What they ran into:
- a visitor who changed their mind while *Ambil nomor antrian* was waiting for its answer could leave the review
  (*Ubah*, then *Kembali*, *Batal* and *Ya, hapus*): the kiosk went back to the welcome screen under a number issued
  and never shown, called later with nobody to come;
- "Isian ini sudah penuh" (a field at its longest) stayed in red on each field the visitor had moved on from: the
  longest name, agency, address and phone read as four fields refused;
- after *Lanjut* on an empty form the field the keys type into was as red as the four others, its blue border gone:
  nothing showed where the next letter would go.
"""

from __future__ import annotations

import time

import pytest
import requests
from conftest import write_config
from fakeprinter import FakeNetworkPrinter
from kioskui import LONGEST, PORTRAIT, SMALL, Keys, kiosk_pages, tap
from live import LiveServer
from playwright.sync_api import expect

from server.forms import LIMITS

VISITOR = {
    "name": "Hj. Siti Nur",
    "agency": "Sekretariat Daerah Bagian Pengadaan Barang/Jasa",  # ../shared/data/agencies.csv's longest
    "address": "Kantor Bupati Lt. 2",
    "phone": "+6281234567890",
    "problem": "Tidak bisa login",
}
FULL = {
    "id": "Isian ini sudah penuh: paling banyak {max} karakter.",
    "en": "This field is full: {max} characters at most.",
}
REQUIRED = {"id": "Wajib diisi.", "en": "Required."}
SUBMITTING = {"id": "Memproses…", "en": "Working…"}


@pytest.fixture(scope="module")
def printer():
    fake = FakeNetworkPrinter()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def live(tmp_path_factory, printer):
    tmp = tmp_path_factory.mktemp("visitor-review")
    server = LiveServer(write_config(tmp, printer.as_kiosk(width_mm=58, timeout=3))).start()
    yield server
    server.stop()


@pytest.fixture
def kiosk(browser, live):
    with kiosk_pages(browser, live) as open_kiosk:
        yield open_kiosk


def to_form(page, lang: str, service: str = "A") -> None:
    if lang == "en":
        tap(page, "#lang-toggle")
    # mouse clicks: two quick touches there are a double tap, whose second the new screen drops (a finger's
    # second tap on the last screen's button, tests/test_kiosk_fast_taps.py)
    page.click("#start")
    expect(page.locator("#screen-service")).to_be_visible()
    page.click(f'[data-service="{service}"]')
    expect(page.locator("#screen-form")).to_be_visible()


def type_on_keys(page, keys: Keys, text: str) -> None:
    """`text` typed as a finger does on the kiosk's keys: Shift for a capital (it is on by itself at an empty
    field's start), off again for a small letter."""
    for ch in text:
        if ch == " ":
            keys.tap("space")
            continue
        if ch.isalpha():
            shift = page.locator("[data-key=shift]").get_attribute("aria-pressed") == "true"
            if ch.isupper() != shift:
                keys.tap("shift")
            keys.tap(ch.lower())
        else:
            keys.tap(ch)


def fill_by_script(page, key: str, text: str) -> None:
    """All but the keys' last taps: `text` put in the field as typed (an input event), the field chosen first."""
    page.evaluate(
        """([k, v]) => { const el = document.getElementById('f-' + k); el.value = v;
             el.dispatchEvent(new Event('input', {bubbles: true})); }""",
        [key, text],
    )


def shown_screen(page) -> str:
    return page.evaluate("document.querySelector('section[data-screen]:not([hidden])').dataset.screen")


@pytest.mark.parametrize("lang, viewport", [("id", PORTRAIT), ("en", SMALL)])
def test_a_visitor_cannot_leave_the_review_while_the_number_is_on_its_way(kiosk, live, lang, viewport):
    page = kiosk(viewport)
    held = []
    page.route("**/api/tickets", lambda route: held.append(route))  # the answer waits until the test lets it go
    to_form(page, lang, "C")
    for key, text in VISITOR.items():
        tap(page, f"#f-{key}")
        fill_by_script(page, key, text)
    tap(page, "#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
    before = {s["code"]: s["waiting"] for s in requests.get(f"{live.url}/api/state", timeout=5).json()["services"]}
    tap(page, "#submit")
    expect(page.locator("#submit")).to_have_text(SUBMITTING[lang])
    deadline = time.monotonic() + 10
    while not held:  # the request reached the test's hand (Playwright hands it over between its calls)
        assert time.monotonic() < deadline, "the kiosk sent no request"
        page.wait_for_timeout(20)

    # The visitor changes their mind: Ubah cannot be pressed meanwhile (then Kembali, Batal, "Ya, hapus" cleared
    # the kiosk under the number being issued)
    edit = page.locator("#screen-review [data-action=form]")
    expect(edit).to_be_disabled()
    box = edit.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert shown_screen(page) == "review"

    held[0].continue_()
    expect(page.locator("#screen-ticket")).to_be_visible()
    label = page.locator("#ticket-label").inner_text()
    after = {s["code"]: s["waiting"] for s in requests.get(f"{live.url}/api/state", timeout=5).json()["services"]}
    assert after["C"] == before["C"] + 1 and label.startswith("C-")  # the one number issued is the one shown


def test_ubah_comes_back_with_a_refusal_and_the_visitor_edits_as_ever(kiosk):
    """What the fix must not take away: once the answer is in (here a network error), Ubah is pressed as before."""
    page = kiosk(PORTRAIT)
    page.route("**/api/tickets", lambda route: route.abort())
    to_form(page, "id")
    for key, text in VISITOR.items():
        tap(page, f"#f-{key}")
        fill_by_script(page, key, text)
    tap(page, "#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
    tap(page, "#submit")
    expect(page.locator("#submit-error")).to_be_visible()
    expect(page.locator("#screen-review [data-action=form]")).to_be_enabled()
    tap(page, "#screen-review [data-action=form]")
    expect(page.locator("#screen-form")).to_be_visible()
    expect(page.locator("#f-agency")).to_have_value(VISITOR["agency"])


@pytest.mark.parametrize("lang, viewport", [("id", PORTRAIT), ("en", SMALL)])
def test_the_full_notice_stays_with_the_field_being_typed_not_the_ones_left(kiosk, lang, viewport):
    page = kiosk(viewport)
    to_form(page, lang)
    keys = Keys(page)
    for i, key in enumerate(("name", "agency", "address")):
        if i:
            keys.tap("next")
            keys.moved()
        expect(page.locator(f'.field.active[data-field="{key}"]')).to_have_count(1)
        fill_by_script(page, key, LONGEST[key][:-1])
        type_on_keys(page, keys, LONGEST[key][-1] + "x")  # the last letter, then one too many
        expect(page.locator(f"#f-{key}")).to_have_value(LONGEST[key])
        # said while the visitor types there: the key did nothing because the field is full
        expect(page.locator(f"#e-{key}")).to_have_text(FULL[lang].format(max=LIMITS[key]))
    keys.tap("next")  # on to the phone
    keys.moved()
    expect(page.locator('.field.active[data-field="phone"]')).to_have_count(1)
    # The fields left are no longer marked: nothing of them is wrong
    for key in ("name", "agency", "address"):
        expect(page.locator(f"#e-{key}")).to_have_text("")
        expect(page.locator(f'.field[data-field="{key}"]')).not_to_have_class("field invalid")
        assert page.locator(f"#f-{key}").get_attribute("aria-invalid") is None
    # Back in a full field, a key tapped there says so again
    tap(page, "#f-name")
    keys.moved()
    keys.tap("a")
    expect(page.locator("#e-name")).to_have_text(FULL[lang].format(max=LIMITS["name"]))


def test_moving_on_leaves_a_refusal_where_it_is(kiosk):
    """Only the full notice goes with the field: Lanjut's "Wajib diisi." stays on a field the visitor passes by."""
    page = kiosk(PORTRAIT)
    to_form(page, "id")
    tap(page, "#to-review")
    expect(page.locator("#e-name")).to_have_text(REQUIRED["id"])
    keys = Keys(page)
    keys.tap("next")  # from the name, still empty, to the agency
    keys.moved()
    expect(page.locator('.field.active[data-field="agency"]')).to_have_count(1)
    for key in ("name", "agency", "address", "phone", "problem"):
        expect(page.locator(f"#e-{key}")).to_have_text(REQUIRED["id"])


BORDERS_JS = """() => Object.fromEntries(['name', 'agency', 'address', 'phone', 'problem'].map(k => {
  const el = document.getElementById('f-' + k);
  return [k, {color: getComputedStyle(el).borderTopColor, active: el.closest('.field').classList.contains('active'),
              invalid: el.closest('.field').classList.contains('invalid')}];
}))"""


@pytest.mark.parametrize("lang, viewport", [("id", PORTRAIT), ("en", SMALL)])
def test_the_field_the_keys_type_into_shows_so_when_refused_too(kiosk, lang, viewport):
    page = kiosk(viewport)
    to_form(page, lang)
    keys = Keys(page)
    type_on_keys(page, keys, "B")
    active_blue = page.evaluate(BORDERS_JS)["name"]["color"]  # the active field's border, nothing refused
    keys.tap("backspace")
    tap(page, "#to-review")  # Lanjut on an empty form: all five refused
    expect(page.locator("#e-problem")).to_have_text(REQUIRED[lang])
    borders = page.evaluate(BORDERS_JS)
    active = [k for k, b in borders.items() if b["active"]]
    assert active == ["name"] and all(b["invalid"] for b in borders.values()), borders
    refused_red = borders["agency"]["color"]
    assert refused_red != active_blue
    assert borders["name"]["color"] == active_blue, f"the field typed into looks like the other refused ones: {borders}"
    assert all(borders[k]["color"] == refused_red for k in ("agency", "address", "phone", "problem")), borders
    keys.tap("next")  # the mark of where the keys type moves with them
    keys.moved()
    borders = page.evaluate(BORDERS_JS)
    assert borders["agency"]["color"] == active_blue and borders["name"]["color"] == refused_red, borders


def test_a_visitor_typing_on_the_keys_gets_a_slip_that_fits_58_mm_paper(kiosk, printer):
    """What held, kept: the whole visit by taps at 1366x768 in English, the ticket's ESC/POS bytes read back."""
    page = kiosk(SMALL)
    to_form(page, "en", "B")
    keys = Keys(page)
    for i, key in enumerate(VISITOR):
        if i:
            keys.tap("next")
            keys.moved()
        if key == "phone":
            for ch in VISITOR[key]:
                keys.tap(ch)
        else:
            type_on_keys(page, keys, VISITOR[key])
    for key, text in VISITOR.items():
        expect(page.locator(f"#f-{key}")).to_have_value(text)
    tap(page, "#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
    closes = printer.closes
    tap(page, "#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()
    label = page.locator("#ticket-label").inner_text()
    expect(page.locator("#ticket-hint")).to_contain_text(f"Take your paper ticket, number {label}", timeout=15000)
    raw = printer.wait_for_closes(closes + 1)
    lines = slip_lines(raw[raw.rfind(b"\x1b@") :])  # the last job: ESC @ starts each
    text = "\n".join(t for t, _, _ in lines)
    assert label in text and "NOMOR ANTRIAN" in text  # the slip is in Indonesian whatever the screen's language
    assert (label, 4, "a") in lines  # the number four times as large
    assert "Konsultasi Non-Penyedia" in text and "(PPK/Pokja/PP)" in text and " WIB" in text
    wide = [(t, size, font) for t, size, font in lines if len(t) * size > (32 if font == "a" else 42)]
    assert not wide, f"wider than 58 mm paper: {wide}"


def slip_lines(raw: bytes) -> list[tuple[str, int, str]]:
    """The text lines of an ESC/POS job, each with its GS ! magnification and font (ESC M), the commands left out
    (python-escpos's: ESC @ a E M t -, GS ! ( V, DLE EOT)."""
    out, line, size, font, i = [], bytearray(), 1, "a", 0
    while i < len(raw):
        b = raw[i]
        if b == 0x1B:  # ESC: @ alone, the rest with one byte
            if raw[i + 1] == ord("M"):
                font = "b" if raw[i + 2] in (1, 49) else "a"
            i += 2 if raw[i + 1] == ord("@") else 3
        elif b == 0x1D and raw[i + 1] == ord("!"):
            size, i = (raw[i + 2] >> 4) + 1, i + 3
        elif b == 0x1D and raw[i + 1] == ord("("):  # GS ( k: a QR code's data and settings
            i += 5 + raw[i + 3] + raw[i + 4] * 256
        elif b == 0x1D and raw[i + 1] == ord("V"):  # the cut
            i += 3 if raw[i + 2] in (0, 1, 48, 49) else 4
        elif b == 0x10 and raw[i + 1] == 0x04:  # DLE EOT n: a status query
            i += 3
        elif b == 0x0A:
            out.append((line.decode("ascii"), size, font))
            line, i = bytearray(), i + 1
        else:
            line.append(b)
            i += 1
    return out
