"""A visitor at the kiosk touchscreen, no keyboard but the on-screen one, upright (1080x1920) and on its side
(1920x1080): the longest inputs the fields allow, the mistakes visitors make (a phone the server refuses, a text
pasted, Lanjut tapped twice, the language changed mid-form), then the ticket from a printer out of paper.

- A phone the server refuses ("08123", letters in it) is said at its field on *Lanjut*, in the server's own words,
  above the on-screen keyboard; before, the visitor went on to the review and learnt it only from *Ambil nomor
  antrian*. The kiosk judges a phone as the server does (server/forms.py normalize_phone).
- A text pasted into an empty field ends the Shift that was on for its first letter: the next key tapped went on
  in a capital ("…tersimpanT").
"""

from __future__ import annotations

import pytest
from conftest import write_config
from fakeprinter import PAPER_OUT, FakeNetworkPrinter
from kioskui import (
    LANDSCAPE,
    LONGEST,
    PORTRAIT,
    Keys,
    assert_actions_visible,
    assert_seen,
    done,
    fill_fast,
    kiosk_pages,
    shot,
    shot_name,
    tap,
)
from live import LiveServer
from playwright.sync_api import expect

from server.forms import LIMITS, normalize_phone
from server.i18n import word
from server.messages import message

# An agency as long as the field takes (150): a unit of a regency's office, its full name as on its letters.
AGENCY = (
    "Sekretariat Daerah Bagian Pengadaan Barang/Jasa, Unit Kerja Pengadaan Barang/Jasa (UKPBJ) "
    "Pemerintah Kabupaten Kepulauan Sangihe Talaud & Kota Contoh"
)[: LIMITS["agency"]]
BOTH = [("portrait", PORTRAIT), ("landscape", LANDSCAPE)]


@pytest.fixture(scope="module")
def printer():
    out_of_paper = FakeNetworkPrinter(paper=PAPER_OUT)
    yield out_of_paper
    out_of_paper.stop()


@pytest.fixture(scope="module")
def live(tmp_path_factory, printer):
    config = write_config(tmp_path_factory.mktemp("longest-day"), printer.as_kiosk(timeout=2, check_status=True))
    server = LiveServer(config).start()
    yield server
    server.stop()


@pytest.fixture
def kiosk(browser, live):
    with kiosk_pages(browser, live) as open_kiosk:
        yield open_kiosk


def start_form(page, service: str = "A") -> None:
    tap(page, "#start")
    tap(page, f'[data-service="{service}"]')
    expect(page.locator("#screen-form")).to_be_visible()


def type_keys(page, text: str) -> None:
    """`text` tapped on the keyboard shown (the phone's numeric pad): digits, +, backspace as "<"."""
    keys = Keys(page)
    for ch in text:
        keys.tap("backspace" if ch == "<" else ch)


def over_the_keyboard(page, selector: str) -> bool:
    """`selector` is drawn whole and apart from the on-screen keyboard (above it upright, beside it on its side)."""
    return page.evaluate(
        """(sel) => {
          const r = document.querySelector(sel).getBoundingClientRect();
          const k = document.getElementById('osk').getBoundingClientRect();
          return r.height > 0 && (r.bottom <= k.top + 0.5 || r.right <= k.left + 0.5);
        }""",
        selector,
    )


@pytest.mark.parametrize("name, viewport", BOTH)
def test_a_phone_the_server_refuses_is_said_at_its_field_on_lanjut_then_the_ticket_without_paper(kiosk, name, viewport):
    page = kiosk(viewport)
    start_form(page)
    fill_fast(page, {"name": LONGEST["name"], "agency": AGENCY, "address": LONGEST["address"]})
    fill_fast(page, {"problem": LONGEST["problem"]})
    # Five digits on the numeric pad, as a visitor who lost count types them, then Lanjut
    tap(page, "#f-phone")
    expect(page.locator("#osk-numpad")).to_be_visible()
    type_keys(page, "08123")
    tap(page, "#to-review")

    refused = message("phone_invalid", "id")
    expect(page.locator("#e-phone")).to_have_text(refused)
    expect(page.locator("#screen-review")).to_be_hidden()
    expect(page.locator("#form-summary")).to_have_text("Perlu diperbaiki: Nomor telepon / HP.")
    for other in ("name", "agency", "address", "problem"):
        expect(page.locator(f"#e-{other}")).to_have_text("")
    # the field, and what is wrong with it, over the keyboard: its numeric pad still there to correct it
    expect(page.locator("#osk-numpad")).to_be_visible()
    assert_seen(page, f"phone refused ({name})", ("#f-phone", "#e-phone", "#form-summary"))
    assert over_the_keyboard(page, "#e-phone"), name
    assert_actions_visible(page, f"phone refused ({name})", must=("#to-review",))
    shot(page, shot_name("kiosk-phone-refused", name))
    # the language changed on the way: the refusal follows
    tap(page, "#lang-toggle")
    expect(page.locator("#e-phone")).to_have_text(message("phone_invalid", "en"))
    tap(page, "#lang-toggle")
    expect(page.locator("#e-phone")).to_have_text(refused)

    # Letters in it (pasted, a hardware keyboard): refused the same
    page.fill("#f-phone", "0812-abc-5678")
    tap(page, "#to-review")
    expect(page.locator("#e-phone")).to_have_text(refused)
    expect(page.locator("#screen-review")).to_be_hidden()

    # Corrected on the pad: the mark goes at the first key, and Lanjut, tapped twice, shows the review once
    page.fill("#f-phone", "")
    tap(page, "#f-phone")
    type_keys(page, "0812345677<890")
    expect(page.locator("#f-phone")).to_have_value("081234567890")
    page.dblclick("#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
    expect(page.locator("#review")).to_contain_text(AGENCY)
    expect(page.locator("#review")).to_contain_text("081234567890")

    # The printer out of paper: the number stays, and the screen says no paper came out and what to do
    tap(page, "#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()
    expect(page.locator("#ticket-print-failed")).to_be_visible(timeout=15_000)
    expect(page.locator("#ticket-print-failed .print-failed-title")).to_have_text(
        "Tiket tidak tercetak — catat nomor Anda / foto kode QR"
    )
    expect(page.locator("#ticket-hint")).not_to_contain_text("tiket kertas")
    assert page.evaluate("() => window.antrianKiosk.resetIn") == 60
    assert_seen(page, f"ticket, out of paper ({name})", ("#ticket-label", "#ticket-print-failed", "#ticket-hint"))
    assert_actions_visible(page, f"ticket, out of paper ({name})", must=("#screen-ticket [data-action=home]",))
    done(page)
    expect(page.locator("#screen-welcome")).to_be_visible()


# What a visitor may type in the phone field: the kiosk lets through (to the review) what the server takes.
PHONES = [
    "081234567890",
    "0812345678",
    "08123456789012",
    "08123",
    "+62 812-3456-7890",
    "+62 (0)812 3456 7890",
    "+1 555 1234567",
    "6281234567890",
    "62812345678",
    "021-555 1234",
    "(021) 5551234",
    "021555",
    "00812345678",
    "+6221 555 1234",
    "0812.3456.7890",
    "0812 abc 5678",
    "+",
]


def test_the_kiosk_judges_a_phone_as_the_server_does(kiosk):
    page = kiosk(PORTRAIT)
    start_form(page)
    fill_fast(page, {"name": "Budi Santoso", "agency": AGENCY, "address": "Jl. Sudirman 12", "problem": "Lupa sandi"})
    seen = {}
    for phone in PHONES:
        page.fill("#f-phone", phone)
        page.click("#to-review")
        expect(page.locator("#screen-review:visible, #e-phone:not(:empty)")).to_have_count(1)
        seen[phone] = page.locator("#screen-review").is_visible()
        if seen[phone]:
            page.click("#screen-review [data-action=form]")
            expect(page.locator("#screen-form")).to_be_visible()
    assert seen == {phone: normalize_phone(phone) is not None for phone in PHONES}


@pytest.mark.parametrize("name, viewport", BOTH)
def test_after_a_text_pasted_into_an_empty_field_the_next_key_is_not_a_capital(kiosk, name, viewport):
    page = kiosk(viewport)
    start_form(page)
    tap(page, "#f-problem")
    shift = page.locator("#osk-letters [data-key=shift]")
    expect(shift).to_have_attribute("aria-pressed", "true")  # on by itself for an empty field's first letter
    pasted = LONGEST["problem"][: LIMITS["problem"] - 3]  # three taps short of full
    pasted = pasted[:-1] + "." if pasted.endswith(" ") else pasted
    page.keyboard.insert_text(pasted)
    keys = Keys(page)
    keys.tap("space")
    keys.tap("t")
    expect(page.locator("#f-problem")).to_have_value(pasted + " t")  # not "… T"
    expect(shift).to_have_attribute("aria-pressed", "false")
    # full with the next key; the one after says so at the field, over the keyboard
    keys.tap("a")
    expect(page.locator("#f-problem")).to_have_value(pasted + " ta")
    keys.tap("b")
    expect(page.locator("#e-problem")).to_have_text(word("kiosk.field_full", "id", max=LIMITS["problem"]))
    assert len(page.locator("#f-problem").input_value()) == LIMITS["problem"]
    assert_seen(page, f"problem full ({name})", ("#f-problem", "#e-problem"))
    assert over_the_keyboard(page, "#e-problem"), name
